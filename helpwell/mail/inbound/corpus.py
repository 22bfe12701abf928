"""Measure the parser against Zammad's corpus of real mail and the results Zammad expects.

`../shared/data/zammad-mail/mailNNN.box` is a raw message and `mailNNN.yml` what Zammad's parser
makes of it. Used by bench/mail_corpus.py (prints the report) and by the test that asserts the
targets. The data is read where it lies; it is never copied into the repository.

How fields are compared (and why):
* from_email, from_display_name, subject: exactly, after trimming and collapsing whitespace;
* from: the decoded From header, ignoring double quotes, collapsed whitespace and the `<>` around a
  bare address, since Zammad re-quotes the header when it writes it back;
* body: the text after dropping markup, entities and whitespace, because Zammad and Helpwell use
  different sanitisers and lay out whitespace differently; Zammad's "no visible content" placeholder
  counts as an empty body;
* attachments: the multiset of (file name, size). Zammad's `message.html` copy of an HTML body
  (marked `content-alternative`) is not an attachment in Helpwell and is left out.
"""

import base64
import html
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from .parse import parse_message

FIELDS = ("from", "from_email", "from_display_name", "subject", "attachments", "body")


def shared_data_dir() -> Path:
    """Real-world test data written by others: `../shared/data` beside the project, or wherever
    HELPWELL_SHARED_DATA points. A clone made elsewhere from a checkout on this machine (`git clone
    /path/to/helpwell`) finds it beside that checkout. Nothing is copied into the repository."""
    if os.environ.get("HELPWELL_SHARED_DATA"):
        return Path(os.environ["HELPWELL_SHARED_DATA"])
    root = Path(settings.BASE_DIR)
    beside = root.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(root), "config", "--get", "remote.origin.url"], capture_output=True, text=True
    ).stdout.strip()
    if origin and Path(origin).is_dir() and (Path(origin).resolve().parent / "shared" / "data").is_dir():
        return Path(origin).resolve().parent / "shared" / "data"
    return beside  # absent: the corpus tests say so and fail


def corpus_dir() -> Path:
    return shared_data_dir() / "zammad-mail"


def load_expected(path: Path) -> dict[str, Any]:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def ruby(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!ruby/", ruby)

    def binary(loader: Any, node: Any) -> bytes:
        return base64.b64decode(loader.construct_scalar(node))

    Loader.add_constructor("!binary", binary)
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader) or {}  # noqa: S506 - a SafeLoader subclass


def squash(value: Any) -> str:
    return " ".join(str(value or "").split())


def markup_free(value: Any) -> str:
    """The words of a body with markup, entities and all whitespace removed."""
    text = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", "", str(value or ""))
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    text = "".join(text.split())
    # Zammad stores this phrase for a mail without a body; Helpwell stores an empty body.
    return "" if text == "novisiblecontent" else text


def from_form(value: Any) -> str:
    text = squash(str(value or "").replace('"', ""))
    return re.sub(r"^<([^<>\s]+)>$", r"\1", text)


def attachment_set(items: list[tuple[str, int]]) -> Counter[tuple[str, int]]:
    return Counter((squash(name), size) for name, size in items)


@dataclass
class CaseResult:
    name: str
    error: str = ""
    matches: dict[str, bool] = field(default_factory=dict)
    got: dict[str, Any] = field(default_factory=dict)
    want: dict[str, Any] = field(default_factory=dict)


def check_case(box: Path) -> CaseResult:
    result = CaseResult(box.stem)
    expected = load_expected(box.with_suffix(".yml"))
    try:
        mail = parse_message(box.read_bytes())
    except Exception as exc:  # the report counts it; the parser must never get here
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    want_attachments = [
        (a.get("filename") or "", len(a.get("data") or b""))
        for a in expected.get("attachments") or []
        if not (a.get("preferences") or {}).get("content-alternative")
    ]
    body = mail.body_html if mail.content_type == "text/html" else mail.body_text
    pairs = {
        "from": (from_form(mail.from_header), from_form(expected.get("from"))),
        "from_email": (squash(mail.from_email), squash(expected.get("from_email"))),
        "from_display_name": (squash(mail.from_name), squash(expected.get("from_display_name"))),
        "subject": (squash(mail.subject), squash(expected.get("subject"))),
        "attachments": (
            attachment_set([(a.filename, a.size) for a in mail.attachments]),
            attachment_set(want_attachments),
        ),
        "body": (markup_free(body), markup_free(expected.get("body"))),
    }
    for name, (got, want) in pairs.items():
        result.matches[name] = got == want
        result.got[name], result.want[name] = got, want
    return result


def run_corpus(directory: Path | None = None) -> list[CaseResult]:
    directory = directory or corpus_dir()
    return [check_case(box) for box in sorted(directory.glob("*.box"))]


def shares(results: list[CaseResult]) -> dict[str, float]:
    total = len(results) or 1
    out = {"no_error": sum(1 for r in results if not r.error) / total}
    for name in FIELDS:
        out[name] = sum(1 for r in results if r.matches.get(name)) / total
    return out
