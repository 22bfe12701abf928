"""Readable plain text from an HTML mail: paragraphs, line breaks, list items and links kept."""

import html
import re
from html.parser import HTMLParser

BLOCK = {
    "address", "article", "blockquote", "div", "dl", "dt", "dd", "fieldset", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "table", "tr", "ul",
}  # fmt: skip
SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "xml"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in BLOCK:
            self.out.append("\n")
            if tag == "li":
                self.out.append("- ")
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag == "hr":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK:
            self.out.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.out.append(data)


def html_to_text(raw: str) -> str:
    parser = _TextParser()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return html.unescape(re.sub(r"<[^>]+>", " ", raw))
    text = "".join(parser.out).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
