"""Show the new part of a reply: fold the quoted history and the signature away (both are kept).

Line-based, in the manner of Mailgun's talon: a reply header ("On … wrote:", "-----Original
Message-----", an Outlook "From:/Sent:/To:" block, in a dozen languages) starts the quoted history;
a block of `>` lines right after such a header is dropped and the text after it (an inline answer,
"Regards, Roman") is kept. Measured against talon's own fixtures in
helpwell/mail/tests/test_quotes.py.
"""

import re
from dataclasses import dataclass

WROTE = (
    r"(wrote|sent|schrieb|a écrit|skrev|schreef|napisał|het volgende geschreven|đã viết|escribió"
    r"|scrisse|написал|написала|kirjoitti|napsal|írta|yazdı|пише|escreveu)"
)
# A line (or up to three wrapped lines) that introduces quoted mail.
REPLY_HEADER = [
    re.compile(r"^\s*-*\s*(On|Am|Le|El|Il|Op|Em|W dniu|Den|På|Vào|Dne|Pada|Den)\b.{0,400}?" + WROTE
               + r"(\s*:?\s*-*|\b[^\n]{0,200}:)\s*$", re.I | re.S),
    re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b.{0,300}" + WROTE + r"\s*:\s*$", re.I | re.S),
    re.compile(r"^[^\n]{0,200}\b\d{1,2}:\d{2}\b.{0,200}<\S+@\S+>\s*:\s*$", re.S),
    re.compile(r"^[^\n]{0,80}?-{2,}\s*On\b[^\n]{0,300}?" + WROTE + r"\s*:?\s*$", re.I),
    re.compile(r"^\s*-+\s*.{0,80}" + WROTE + r"\s*-+\s*$", re.I),
    re.compile(r"^\s*Sent from [^\n]{0,60}\S+@\S+[^\n]*" + WROTE + r"\s*:?\s*$", re.I),
    re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b.{0,200}(<|@).{0,200}:?\s*$", re.S),
]  # fmt: skip
ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{3,}\s*(Original Message|Original|Ursprüngliche Nachricht|Message d'origine|Oorspronkelijk bericht"
    r"|Mensaje original|Messaggio originale|Původní zpráva|Alkuperäinen viesti|Originalmeddelande)\s*-{3,}\s*$",
    re.I,
)
FIELD = r"\s*\**\s*({names})\s*\**\s*:"
FROM_FIELD = re.compile(FIELD.format(names="From|Von|De|Fra|Från|Van|Od|Da|От|Lähettäjä|Feladó"), re.I)
OTHER_FIELDS = re.compile(
    FIELD.format(
        names="Sent|Date|Datum|Gesendet|Envoyé|Sendt|Skickat|Verzonden|Enviado|Inviato|Odesláno|To|An|À|A|Til"
        "|Till|Aan|Para|Subject|Betreff|Objet|Emne|Ämne|Onderwerp|Asunto|Oggetto|Předmět|Cc|Отправлено|Кому|Тема"
    ),
    re.I,
)
FORWARDED = re.compile(
    r"^\s*-+\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-+\s*$", re.I
)
DATE_FIELD = re.compile(r"^\s*Date\s*:", re.I)
SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
MOBILE_TAGLINE = re.compile(
    r"^\s*(Sent from my \w+|Sent from (Samsung|Mail|Outlook|Yahoo Mail)\b.*|Get Outlook for \w+.*"
    r"|Von meinem \w+ gesendet|Envoyé de mon \w+|Sent with Sparrow.*)\s*$",
    re.I,
)


@dataclass
class Folded:
    new: str  # what the sender wrote in this mail
    quoted: str  # the history it quoted, folded away in the agent's view
    signature: str  # the signature, folded away too


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _header_at(lines: list[str], i: int) -> int:
    """If a reply header starts at line i, the number of lines it spans; else 0."""
    line = lines[i]
    if not line.strip() or _is_quote(line):
        return 0
    if ORIGINAL_MESSAGE.match(line):
        return 1
    forwarded = any(FORWARDED.match(ln) for ln in lines[max(0, i - 6) : i])
    if (FROM_FIELD.match(line) or DATE_FIELD.match(line)) and not forwarded:
        following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()]
        if sum(1 for ln in following[:4] if OTHER_FIELDS.match(ln) or FROM_FIELD.match(ln)) >= 1:
            return 1
    for span in (1, 2, 3, 4, 5, 6):
        if i + span > len(lines):
            break
        chunk = "\n".join(lines[i : i + span])
        for pattern in REPLY_HEADER:
            if pattern.match(chunk):
                if pattern is REPLY_HEADER[-1]:
                    # A bare date line counts only when quoted lines follow it.
                    after = [ln for ln in lines[i + span : i + span + 3] if ln.strip()]
                    if not after or not _is_quote(after[0]):
                        continue
                return span
    return 0


def fold_quotes(text: str) -> tuple[str, str]:
    """(new part, quoted history) of a plain-text reply."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        span = _header_at(lines, i)
        if span:
            j = i + span
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and _is_quote(lines[j]):
                # Header, then a quoted block: drop both, keep answering text after it. A line the
                # sender's client wrapped out of the block (followed by more quoted lines) stays in it.
                while j < len(lines) and (
                    _is_quote(lines[j])
                    or not lines[j].strip()
                    or (j + 1 < len(lines) and _is_quote(lines[j + 1]))
                ):
                    j += 1
                quoted.extend(lines[i:j])
                i = j
                continue
            quoted.extend(lines[i:])
            break
        if _is_quote(lines[i]):
            # A quoted block that runs to the end of the mail is history; one in the middle is content.
            j = i
            while j < len(lines) and (_is_quote(lines[j]) or not lines[j].strip()):
                j += 1
            if j >= len(lines) and kept and any(ln.strip() for ln in kept):
                quoted.extend(lines[i:])
                break
        kept.append(lines[i])
        i += 1
    if not any(ln.strip() for ln in kept):
        return text.strip(), ""
    return "\n".join(kept).strip(), "\n".join(quoted).strip()


def fold_signature(text: str) -> tuple[str, str]:
    """(text, signature): the signature starts at a "-- " line or a mobile tagline near the end."""
    lines = text.split("\n")
    start = len(lines) - 1
    for i in range(len(lines) - 1, max(-1, len(lines) - 16), -1):
        if SIGNATURE_DELIMITER.match(lines[i]) or MOBILE_TAGLINE.match(lines[i]):
            start = i
            break
    else:
        return text, ""
    body = "\n".join(lines[:start]).strip()
    if not body:
        return text, ""
    return body, "\n".join(lines[start:]).strip()


def fold(text: str) -> Folded:
    new, quoted = fold_quotes(text)
    new, signature = fold_signature(new)
    return Folded(new=new, quoted=quoted, signature=signature)


# HTML mail: the quoted history sits in a container each client marks in its own way.
HTML_QUOTE_MARKERS = [
    re.compile(p, re.I)
    for p in (
        r'<div[^>]+class="?[^">]*gmail_quote',
        r'<div[^>]+class="?[^">]*gmail_extra',
        r"<blockquote[^>]+type=\"?cite",
        r'<div[^>]+id="?appendonsend',
        r'<div[^>]+id="?divRplyFwdMsg',
        r'<hr[^>]+id="?stopSpelling',
        r'<div[^>]+class="?[^">]*moz-cite-prefix',
        r'<div[^>]+class="?[^">]*yahoo_quoted',
        r'<div[^>]+id="?OLK_SRC_BODY_SECTION',
        r'<span[^>]+id="?OLK_SRC_BODY_SECTION',
        r"<div[^>]+style=\"[^\"]*border-top:\s*solid\s*#(B5C4DF|E1E1E1)",
        r'<div[^>]+class="?[^">]*OutlookMessageHeader',
        r"<blockquote[^>]+class=\"?[^\">]*(yandex|mail_ru|quote)",
    )
]


def fold_html(raw_html: str) -> tuple[str, str]:
    """(new part, quoted history) of a raw HTML reply, cut at the first quote container."""
    cut = None
    for marker in HTML_QUOTE_MARKERS:
        match = marker.search(raw_html)
        if match and (cut is None or match.start() < cut):
            cut = match.start()
    if cut is None or not re.sub(r"<[^>]+>|\s|&nbsp;", "", raw_html[:cut]):
        return raw_html, ""
    return raw_html[:cut], raw_html[cut:]


def fold_body(text: str, raw_html: str = "") -> tuple[str, str, str]:
    """(new text, new raw HTML or "", quoted history as text) of a mail body.

    HTML is cut at the client's quote container when there is one; otherwise the text is folded
    and, if anything was folded, the new part is shown as that text.
    """
    from .htmltext import html_to_text

    if raw_html:
        new_html, quoted_html = fold_html(raw_html)
        if quoted_html:
            new_text = html_to_text(new_html)
            new_text, _signature = fold_signature(new_text)
            return new_text, new_html, html_to_text(quoted_html)
    folded = fold(text)
    if raw_html and (folded.quoted or folded.signature):
        return folded.new, "", "\n\n".join(p for p in (folded.signature, folded.quoted) if p)
    if raw_html:
        return text, raw_html, ""
    return folded.new, "", "\n\n".join(p for p in (folded.signature, folded.quoted) if p)
