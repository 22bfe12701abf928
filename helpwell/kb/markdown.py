"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises (helpwell.lib.html)."""

import re

from markdown_it import MarkdownIt

from helpwell.lib.html import sanitise_html

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_MARKUP = re.compile(r"[`*_>#\[\]()|~-]+")


def render_markdown(text: str) -> str:
    return sanitise_html(_md.render(text or ""))


def plain_text(text: str) -> str:
    """The words of a Markdown body without its markup, for the search index and summaries."""
    text = re.sub(r"\]\([^)]*\)", "]", text or "")
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", text)).strip()


def summarise(text: str, length: int = 180) -> str:
    words = plain_text(text)
    if len(words) <= length:
        return words
    return words[:length].rsplit(" ", 1)[0] + "…"


def reply_text(title: str, text: str) -> str:
    """An article as plain text for an email reply: links spelled out, emphasis and headings dropped."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text or "")
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    return f"{title}\n\n{text.strip()}"
