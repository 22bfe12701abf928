"""Delivery status notifications (RFC 3464): which addresses failed, why, and which mail it was."""

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from .parse import ParsedMail, message_ids, split_raw

ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


@dataclass
class Failure:
    email: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # e.g. 5.1.1
    diagnostic: str = ""


@dataclass
class DeliveryReport:
    failures: list[Failure] = field(default_factory=list)
    original_message_ids: list[str] = field(default_factory=list)

    @property
    def permanent(self) -> list[Failure]:
        return [f for f in self.failures if f.action == "failed" or f.status.startswith("5")]


def _blocks(report: Message) -> list[Message]:
    payload = report.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    if isinstance(payload, str):  # a report the parser left as text: read its header blocks ourselves
        return [email.message_from_string(chunk + "\n") for chunk in re.split(r"\n\s*\n", payload) if chunk]
    return []


def _address(value: str) -> str:
    value = value.split(";", 1)[-1].strip().strip("<>")
    match = ADDRESS.search(value)
    return match.group(0) if match else ""


def read_report(mail: ParsedMail) -> DeliveryReport:
    report = DeliveryReport()
    if mail.report is not None:
        for block in _blocks(mail.report)[1:]:
            recipient = _address(str(block.get("final-recipient") or block.get("original-recipient") or ""))
            if not recipient:
                continue
            report.failures.append(
                Failure(
                    email=recipient,
                    action=str(block.get("action") or "").strip().lower(),
                    status=str(block.get("status") or "").strip()[:20],
                    diagnostic=" ".join(str(block.get("diagnostic-code") or "").split())[:500],
                )
            )
    # The returned message (or its headers) says which of our mails it was.
    for attachment in mail.attachments:
        if attachment.content_type in ("message/rfc822", "text/rfc822-headers"):
            head = split_raw(attachment.data)[0]
            headers = email.message_from_bytes(head + b"\n\n", policy=policy.compat32)
            report.original_message_ids += message_ids(str(headers.get("message-id") or ""))
    if not report.original_message_ids:
        # A bounce without the original attached: look for its Message-ID in the text.
        found = re.findall(r"(?im)^\s*>?\s*Message-ID:\s*(<[^>]+>)", mail.body_text)
        report.original_message_ids = [m.strip("<>") for m in found]
    if not report.failures:
        # No machine-readable report: the addresses the text names as failed.
        for match in re.finditer(r"<([^<>\s]+@[^<>\s]+)>\s*:", mail.body_text):
            report.failures.append(Failure(email=match.group(1), action="failed", status=""))
    return report
