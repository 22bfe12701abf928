"""Turn the bytes of a real-world mail into what a ticket needs, without ever raising.

Real mail breaks every rule: wrong or missing charsets, 8-bit bytes in headers, encoded words in
places RFC 2047 forbids them, HTML-only bodies, forwarded messages, delivery reports. The parser
reads with the standard library (`email`, in its compat32 mode: the same parser as `policy.default`
without the costly structured headers, since every header is decoded here by hand) and recovers
what it can:

* headers are decoded by hand from their raw form, so a broken encoded word costs one header, not
  the message; encoded words inside an address are decoded only when the result is a plain atom
  (no `@`, `<`, `>` or spaces), so `=?utf-8?Q?evil=40attacker?=@victim` cannot pose as someone else;
* a part's text is decoded with its declared charset, then its known aliases, then
  charset-normalizer's guess, then Windows-1252 with replacement: never an exception;
* HTML is sanitised with nh3 (helpwell.lib.html) and turned into readable text for the agent;
* every non-body part is kept as an attachment: `cid:` images (named after their content id when
  they have no name), forwarded messages (`<subject>.eml`), delivery reports, signatures.
"""

import base64
import binascii
import codecs
import email
import email.utils
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from typing import Any, cast

import nh3

from helpwell.lib.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, text_to_html

from .htmltext import html_to_text

# Charset names mail clients use that Python does not know, or knows under a narrower name.
CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "x-user-defined": "cp1252",
    "us-ascii": "utf-8",  # 8-bit bytes in a part declared ASCII are nearly always UTF-8
    "ascii": "utf-8",
    "iso-8859-1": "cp1252",  # Windows-1252 is a superset that mail clients use under this name
    "latin1": "cp1252",
    "windows-874": "cp874",
    "cp-850": "cp850",
    "ansi_x3.4-1968": "utf-8",
}
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")
COMMENT_AFTER_NAME = re.compile(r"(?<=\S)\s*\([^()]*\)$")
ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
MAX_HEADER = 2000


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_header: str = ""
    from_email: str = ""
    from_name: str = ""
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    date: Any = None
    content_type: str = "text/plain"
    body_text: str = ""
    body_html: str = ""  # sanitised; never the raw HTML
    raw_html: str = ""  # as sent, for folding quotes before sanitising; never shown
    attachments: list[ParsedAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value, decoded
    report: Message | None = None  # the message/delivery-status part of a bounce, if any
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


# ---------------------------------------------------------------- HTML


def _no_remote_images(tag: str, attribute: str, value: str) -> str | None:
    # A remote image in a mail is a tracker: it tells the sender when and where the agent read it.
    # Only the mail's own parts (cid:) stay; ingest points them at the mail app's image view.
    if tag == "img" and attribute == "src" and not value.strip().lower().startswith("cid:"):
        return None
    return value


def sanitise_mail_html(raw: str) -> str:
    """helpwell.lib.html's rules (no scripts, styles, handlers, unknown schemes), and no remote images."""
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_no_remote_images,
    )


# ---------------------------------------------------------------- text decoding


def codec_for(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower().split("*", 1)[0]
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL byte in the declared name
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text with the declared charset, else a detected one; never raises."""
    if not data:
        return ""
    name = codec_for(charset)
    if name:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # detection is a best effort; the fallback below always works
        pass
    return data.decode("cp1252", errors="replace")


def _has_8bit(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in str(value))


def _raw_to_bytes(value: str) -> bytes:
    # Header values from the bytes parser carry 8-bit bytes as surrogate escapes.
    return value.encode("ascii", "surrogateescape")


def _decode_word(charset: str, encoding: str, text: str) -> str | None:
    try:
        if encoding.lower() == "b":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return None
    return decode_bytes(data, charset)


def decode_header_value(value: str | None) -> str:
    """RFC 2047 encoded words and raw 8-bit bytes to text, whitespace unfolded."""
    if not value:
        return ""
    value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_bytes(_raw_to_bytes(value))
    value = re.sub(r"\r?\n[ \t]*", " ", value)
    if "=?" in value:
        value = BETWEEN_WORDS.sub(r"\1\2", value)

        def word(match: re.Match[str]) -> str:
            decoded = _decode_word(match.group(1), match.group(2), match.group(3))
            return match.group(0) if decoded is None else decoded

        value = ENCODED_WORD.sub(word, value)
    return value.strip()[:MAX_HEADER]


def _decode_address(addr: str) -> str:
    """Decode an encoded word in an address only if it yields a harmless atom."""
    addr = addr.strip()
    if "=?" not in addr:
        return addr
    local, _, domain = addr.rpartition("@")
    if not local:
        return addr
    decoded = decode_header_value(local)
    return f"{decoded}@{domain}" if ATOM.match(decoded) else addr


def parse_addresses(raw: str | None) -> list[tuple[str, str]]:
    """[(display name, address)] from a raw header value; the names decoded, the addresses guarded."""
    if not raw:
        return []
    raw = re.sub(r"\r?\n[ \t]*", " ", str(raw))
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        raw = decode_bytes(_raw_to_bytes(raw))
    out = []
    try:
        pairs = email.utils.getaddresses([raw])
    except Exception:  # a header the address parser cannot read keeps its text as the name
        pairs = [(raw, "")]
    for name, addr in pairs:
        name = decode_header_value(name).strip().strip('"').strip()
        # "Name (comment) <addr>": the comment is not part of the name.
        if f'"{name}"' not in raw:
            name = COMMENT_AFTER_NAME.sub("", name) or name
        addr = _decode_address(addr)
        if name or addr:
            out.append((name[:200], addr[:254]))
    return out


def message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = MESSAGE_ID.findall(str(value))
    if not found and str(value).strip():
        found = [str(value).strip().strip("<>")]
    return [m[:300] for m in found if m]


# ---------------------------------------------------------------- parts


def _filename(part: Message) -> str:
    if any(
        k.lower() in ("content-type", "content-disposition") and _has_8bit(v) for k, v in part.raw_items()
    ):
        # Raw 8-bit bytes in a file name: decode the headers first, then read the parameters.
        decoded = Message()
        for key, value in part.raw_items():
            if key.lower() in ("content-type", "content-disposition"):
                decoded[key] = decode_header_value(value)
        part = decoded
    try:
        name = part.get_filename()
    except Exception:  # a malformed RFC 2231 parameter
        name = None
    if not name:
        raw = part.get_param("name", header="content-type")
        if isinstance(raw, tuple):
            name = email.utils.collapse_rfc2231_value(raw)
        elif raw:
            name = str(raw)
    name = decode_header_value(name) if name else ""
    return name.replace("/", "_").replace("\\", "_").strip()[:255]


# A part with no name is named after its content id or its type, as other help desks do.
UNNAMED = {
    "message/delivery-status": ("txt", "delivery-status"),
    "text/plain": ("txt", "document"),
    "text/html": ("html", "document"),
    "video/quicktime": ("mov", "video"),
    "image/jpeg": ("jpg", "image"),
    "image/jpg": ("jpg", "image"),
    "image/png": ("png", "image"),
    "image/gif": ("gif", "image"),
}
CID_FILENAME = re.compile(r"^(.+?\.[^.@]{2,6})@")


def _name_for_unnamed(part: Message, content_type: str, cid: str) -> str:
    match = CID_FILENAME.match(cid)
    if match:
        return match.group(1)
    description = decode_header_value(str(part.get("content-description") or ""))
    if content_type in UNNAMED:
        ext, stem = UNNAMED[content_type]
        return f"{description or stem}.{ext}"
    if content_type.startswith("message/"):
        return f"{description or 'Forwarded message'}.eml"
    if "@" in cid:
        return cid.split("@", 1)[0]
    return "file"


def _uudecode(text: bytes) -> bytes:
    out = bytearray()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"begin ") or stripped == b"end" or stripped == b"`":
            continue
        try:
            out += binascii.a2b_uu(stripped)
        except binascii.Error:
            continue
    return bytes(out)


def _payload_bytes(part: Message) -> bytes:
    encoding = str(part.get("content-transfer-encoding") or "").strip().lower()
    if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
        payload = part.get_payload()
        if isinstance(payload, str):
            return _uudecode(payload.encode("ascii", "surrogateescape"))
    payload = part.get_payload()
    if encoding == "base64" and isinstance(payload, str):
        return _lenient_base64(payload)
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep the bytes as they came
        data = None
    if not isinstance(data, bytes):
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    # Text sent as is (7bit, 8bit) is stored with Unix line ends; encoded bytes are kept as they decode.
    return data.replace(b"\r\n", b"\n") if encoding in UNENCODED else data


UNENCODED = ("", "7bit", "8bit", "binary")


BASE64_NOISE = re.compile(rb"[^A-Za-z0-9+/]")


def _lenient_base64(payload: str) -> bytes:
    """Decode base64 as mail clients do: ignore stray characters, an incomplete last quantum and padding."""
    data = BASE64_NOISE.sub(b"", payload.encode("ascii", "ignore"))
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data + b"=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except binascii.Error:
        return b""


def _part_text(part: Message) -> str:
    return decode_bytes(_payload_bytes(part), part.get_content_charset())


def split_raw(raw: bytes) -> tuple[bytes, bytes]:
    """A part's raw bytes into its header block and its body."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(sep)
        if index >= 0:
            return raw[:index], raw[index + len(sep) :]
    return raw, b""


# Any delimiter-like line; the boundary is compared as a string, so no pattern is compiled per mail.
DELIMITER_LINE = re.compile(rb"(?m)^--(.*?)[ \t]*\r?$")


def raw_children(body: bytes, boundary: str) -> list[bytes]:
    """The raw bytes of each child of a multipart body, as they came (for forwarded messages)."""
    separator = boundary.encode("ascii", "replace")
    children: list[bytes] = []
    start = None
    for match in DELIMITER_LINE.finditer(body):
        token = match.group(1)
        if token != separator and token != separator + b"--":
            continue
        if start is not None:
            end = match.start()
            chunk = body[start:end]
            # The line break before a delimiter belongs to the delimiter.
            if chunk.endswith(b"\r\n"):
                chunk = chunk[:-2]
            elif chunk.endswith(b"\n"):
                chunk = chunk[:-1]
            children.append(chunk)
        if token != separator:  # the closing delimiter
            return children
        start = match.end()
        if body[start : start + 2] == b"\r\n":
            start += 2
        elif body[start : start + 1] == b"\n":
            start += 1
    return children


class _Walker:
    def __init__(self, mail: ParsedMail) -> None:
        self.mail = mail
        self.bodies: list[tuple[str, str]] = []  # ("text" | "html", decoded text) in mail order

    def attach(self, part: Message, data: bytes, name: str = "") -> None:
        content_type = part.get_content_type()
        is_tnef = content_type == "application/ms-tnef" or (name or _filename(part)).lower() == "winmail.dat"
        if is_tnef and self.expand_tnef(data):
            return
        cid = str(part.get("content-id") or "").strip().strip("<>")[:300]
        disposition = (part.get_content_disposition() or "").lower()
        if not data and not name and not _filename(part):
            return  # an empty part with no name is nothing the agent could use
        name = name or _filename(part) or _name_for_unnamed(part, content_type, cid)
        self.mail.attachments.append(
            ParsedAttachment(
                filename=self.unique(name[:255]),
                content_type=content_type,
                data=data,
                content_id=cid,
                inline=disposition == "inline" or bool(cid),
            )
        )

    def expand_tnef(self, data: bytes) -> bool:
        """Outlook's winmail.dat: its files become attachments and its text a body, when tnefparse can
        read it; otherwise the winmail.dat is kept as it is."""
        try:
            from tnefparse import TNEF

            tnef = TNEF(data)
            files = [(a.long_filename() or a.name or "file", bytes(a.data)) for a in tnef.attachments]
        except Exception:  # not TNEF after all, or a variant tnefparse cannot read
            return False
        for filename, content in files:
            guessed = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            self.mail.attachments.append(
                ParsedAttachment(
                    filename=self.unique(filename.strip("\x00")[:255]), content_type=guessed, data=content
                )
            )
        body = tnef.htmlbody or tnef.body
        if body and not self.bodies:
            text = body if isinstance(body, str) else decode_bytes(bytes(body))
            self.bodies.append(("html" if tnef.htmlbody else "text", text.strip("\x00")))
        return True

    def unique(self, name: str) -> str:
        taken = {a.filename for a in self.mail.attachments}
        if name not in taken:
            return name
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        for i in range(1, 1000):
            candidate = f"{stem}{i}.{ext}" if ext else f"{stem}{i}"
            if candidate not in taken:
                return candidate
        return name

    def walk(self, part: Message, raw: bytes | None = None) -> None:
        content_type = part.get_content_type()
        maintype = part.get_content_maintype()
        disposition = (part.get_content_disposition() or "").lower()
        if part.is_multipart() and maintype == "multipart":
            children = part.get_payload()
            if not isinstance(children, list):
                return
            raws: list[bytes | None] = [None] * len(children)
            boundary = part.get_boundary()
            if raw is not None and boundary:
                found = raw_children(split_raw(raw)[1], boundary)
                if len(found) == len(children):
                    raws = list(found)
            if part.get_content_subtype() == "alternative":
                self.walk_alternative(cast(list[Message], children), raws)
            else:
                for child, child_raw in zip(children, raws, strict=True):
                    self.walk(child, child_raw)
            return
        if content_type == "message/rfc822" or content_type == "message/delivery-status":
            if content_type == "message/delivery-status":
                self.mail.report = part
            self.attach_message(part, raw)
            return
        named = bool(_filename(part))
        if content_type in ("text/plain", "text/html") and disposition != "attachment" and not named:
            if content_type == "text/html" and any(kind == "html" for kind, _ in self.bodies):
                self.attach(part, _payload_bytes(part))  # a second HTML document: keep it as a file
                return
            self.bodies.append(("html" if content_type == "text/html" else "text", _part_text(part)))
            return
        self.attach(part, _payload_bytes(part))

    def walk_alternative(self, children: list[Message], raws: list[bytes | None]) -> None:
        # The richest alternative we can read is the body; the others are the same words again.
        best = None
        for index, child in enumerate(children):
            ctype = child.get_content_type()
            readable = ctype in ("text/plain", "text/html") or child.get_content_maintype() == "multipart"
            if readable and (best is None or ctype != "text/plain"):
                best = index
        if best is None:
            for child, child_raw in zip(children, raws, strict=True):
                self.walk(child, child_raw)
            return
        chosen = children[best]
        if chosen.get_content_maintype() == "multipart":
            # A related/mixed HTML tree; fall back to the plain text if it holds no body at all.
            before = len(self.bodies)
            self.walk(chosen, raws[best])
            if len(self.bodies) == before:
                for child in children:
                    if child.get_content_type() == "text/plain":
                        self.walk(child)
                        break
            return
        self.walk(chosen, raws[best])

    def attach_message(self, part: Message, raw: bytes | None) -> None:
        if raw is not None and str(part.get("content-transfer-encoding") or "7bit").strip().lower() in (
            "7bit", "8bit", "binary",
        ):  # fmt: skip
            data = split_raw(raw)[1].replace(b"\r\n", b"\n")
        elif part.get_content_type() == "message/delivery-status":
            data = _delivery_status_bytes(part)
        else:
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            data = _message_bytes(inner) if isinstance(inner, Message) else _payload_bytes(part)
        name = _filename(part)
        if not name and part.get_content_type() == "message/rfc822":
            subject = decode_header_value(_raw_header_of_bytes(data, "subject"))
            description = decode_header_value(str(part.get("content-description") or ""))
            name = f"{(subject or description or 'Forwarded message')[:200]}.eml"
        self.attach(part, data, name=name or _name_for_unnamed(part, part.get_content_type(), ""))


def _message_bytes(inner: Message) -> bytes:
    try:
        return inner.as_bytes(policy=policy.compat32)
    except Exception:  # an inner message the generator cannot write: keep its text
        return str(inner).encode("utf-8", "replace")


def _raw_header_of_bytes(data: bytes, name: str) -> str:
    head = split_raw(data)[0]
    try:
        headers = email.message_from_bytes(head + b"\n\n", policy=policy.compat32)
    except Exception:  # no readable headers: no subject
        return ""
    return _raw_headers(headers).get(name, "")


def _delivery_status_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list):
        chunks = []
        for block in payload:
            if isinstance(block, Message):
                chunks.append("".join(f"{k}: {v}\n" for k, v in block.items()))
        return "\n".join(chunks).encode("utf-8", "replace")
    return _payload_bytes(part)


def _raw_header(msg: Message, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _raw_items(msg: Message) -> list[tuple[str, str]]:
    items = msg.raw_items()
    return [(str(k), str(v)) for k, v in items]


def _raw_headers(msg: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _raw_items(msg):
        key = key.lower()
        if key not in out:
            out[key] = str(value)
    return out


HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def strip_mbox_line(raw: bytes) -> bytes:
    """Drop an mbox `From ` separator, or any other line that is not a header, before the headers.

    Some mail arrives with a line of the sender's own in front ("---- Original email message ----");
    without this the whole message would be read as a body with no headers.
    """
    for _ in range(2):
        newline = raw.find(b"\n")
        if newline < 0 or HEADER_LINE.match(raw) or raw[:1] in (b" ", b"\t"):
            return raw
        if not HEADER_LINE.match(raw[newline + 1 :]):
            return raw
        raw = raw[newline + 1 :]
    return raw


def repair_header_block(raw: bytes) -> bytes:
    """Fold a header line that lost its leading space into the header before it.

    Some relays break long headers without indenting the continuation; read strictly, the first such
    line ends the headers and the rest of them (From, Subject, Content-Type) would land in the body.
    """
    end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\r\n\r\n")
    if crlf_end >= 0 and (end < 0 or crlf_end < end):
        end = crlf_end
    if end < 0:
        return raw
    head, rest = raw[:end], raw[end:]
    lines = head.split(b"\n")
    if all(HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") for line in lines):
        return raw
    fixed = [
        line if (HEADER_LINE.match(line) or line[:1] in (b" ", b"\t") or not line.strip()) else b" " + line
        for line in lines
    ]
    return b"\n".join(fixed) + rest


def parse_message(raw: bytes) -> ParsedMail:
    """Parse raw bytes; any part that cannot be read is recorded as a defect, never raised."""
    raw = repair_header_block(strip_mbox_line(raw))
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    mail = ParsedMail()
    raw_headers = _raw_headers(msg)
    mail.headers = {k: decode_header_value(v) for k, v in raw_headers.items()}
    mail.message_id = (message_ids(raw_headers.get("message-id")) or [""])[0]
    mail.in_reply_to = message_ids(raw_headers.get("in-reply-to"))
    mail.references = message_ids(raw_headers.get("references"))
    mail.subject = mail.headers.get("subject", "")
    # Some senders repeat From; the first one with an address counts.
    from_values = [v for k, v in _raw_items(msg) if k.lower() == "from"] or [""]
    chosen = next((v for v in from_values if any("@" in a for _, a in parse_addresses(v))), from_values[0])
    mail.from_header = decode_header_value(chosen)
    senders = [p for p in parse_addresses(chosen) if p[1]]
    with_address = [p for p in senders if "@" in p[1]]
    first = (with_address or senders or [("", "")])[0]
    mail.from_name, mail.from_email = first
    mail.reply_to = parse_addresses(raw_headers.get("reply-to"))
    if "@" not in mail.from_email:
        fallback = [p for p in mail.reply_to + parse_addresses(raw_headers.get("sender")) if "@" in p[1]]
        if fallback:
            if not mail.from_email:
                mail.from_name = mail.from_name or fallback[0][0]
            mail.from_email = fallback[0][1]
    mail.to = parse_addresses(raw_headers.get("to"))
    mail.cc = parse_addresses(raw_headers.get("cc"))
    try:
        mail.date = email.utils.parsedate_to_datetime(raw_headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        mail.date = None

    walker = _Walker(mail)
    try:
        walker.walk(msg, raw)
    except Exception as exc:  # keep whatever was read; the raw message stays stored
        mail.defects.append(f"body: {type(exc).__name__}: {exc}")
        if not walker.bodies:
            walker.bodies.append(("text", decode_bytes(split_raw(raw)[1])))

    bodies = [(kind, text) for kind, text in walker.bodies if text.strip()]
    if any(kind == "html" for kind, _ in bodies):
        raw_html = "\n".join(text if kind == "html" else text_to_html(text) for kind, text in bodies)
        mail.content_type = "text/html"
        mail.body_html = sanitise_mail_html(raw_html)
        mail.raw_html = raw_html
        mail.body_text = html_to_text(raw_html)
    else:
        mail.content_type = "text/plain"
        mail.body_text = "\n\n".join(text.strip("\n") for _, text in bodies)
    mail.body_text = mail.body_text.replace("\r\n", "\n").replace("\x00", "")
    mail.defects.extend(type(d).__name__ for d in getattr(msg, "defects", [])[:10])
    return mail
