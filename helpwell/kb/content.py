"""The demo knowledge base as data files: helpwell/kb/content/*.md (English) and *.<lang>.md.

Each article starts with a line `=== slug | category | visibility [| faq]`, then `# Title`, then
Markdown. A translation file has the same header lines (category and visibility are ignored).
"""

import re
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
HEADER = re.compile(r"^=== (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class ArticleSpec:
    slug: str
    category: str
    visibility: str
    is_faq: bool
    title: str
    body: str


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    icon: str
    name: str
    description: str


def categories() -> list[CategorySpec]:
    out = []
    for line in (CONTENT_DIR / "categories.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            slug, icon, name, description = (p.strip() for p in line.split("|"))
            out.append(CategorySpec(slug, icon, name, description))
    return out


def parse_file(path: Path) -> list[ArticleSpec]:
    text = path.read_text(encoding="utf-8")
    parts = HEADER.split(text)
    out = []
    for header, chunk in zip(parts[1::2], parts[2::2], strict=True):
        fields = [p.strip() for p in header.split("|")]
        slug, category, visibility = (fields + ["", ""])[:3]
        lines = chunk.strip().splitlines()
        title = lines[0].removeprefix("# ").strip()
        body = "\n".join(lines[1:]).strip() + "\n"
        out.append(ArticleSpec(slug, category, visibility, "faq" in fields[3:], title, body))
    return out


def articles() -> list[ArticleSpec]:
    out: list[ArticleSpec] = []
    for path in sorted(CONTENT_DIR.glob("*.md")):
        if path.suffixes == [".md"]:
            out += parse_file(path)
    return out


def translations() -> dict[str, list[ArticleSpec]]:
    """{language: [articles]} from files named like 05-german.de.md."""
    out: dict[str, list[ArticleSpec]] = {}
    for path in sorted(CONTENT_DIR.glob("*.*.md")):
        language = path.suffixes[-2].lstrip(".")
        out.setdefault(language, []).extend(parse_file(path))
    return out
