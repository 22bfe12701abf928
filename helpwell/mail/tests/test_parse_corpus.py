"""Helpwell's parser against real-world mail written by others, and the results another help desk expects.

The data lives in ../shared/data (Zammad's mail corpus, Mailgun talon's reply fixtures); it is read
there and never copied into the repository. bench/mail_corpus.py prints the same figures in full.
"""

import json
from pathlib import Path

from django.test import SimpleTestCase

from helpwell.mail.inbound.corpus import FIELDS, CaseResult, corpus_dir, run_corpus, shares
from helpwell.mail.inbound.htmltext import html_to_text
from helpwell.mail.inbound.parse import parse_message
from helpwell.mail.inbound.quotes import fold_body, fold_quotes

TALON = corpus_dir().parent / "talon-quotes"
HELPDESK = corpus_dir().parent / "django-helpdesk-mail"


class ZammadCorpusTest(SimpleTestCase):
    results: list[CaseResult]
    shares: dict[str, float]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.results = run_corpus()
        cls.shares = shares(cls.results)

    def test_the_corpus_is_there(self):
        self.assertGreaterEqual(len(self.results), 70)

    def test_every_message_parses_without_an_error(self):
        errors = {r.name: r.error for r in self.results if r.error}
        self.assertEqual(errors, {})
        self.assertEqual(self.shares["no_error"], 1.0)

    def test_at_least_95_percent_match_on_every_field(self):
        for name in FIELDS:
            with self.subTest(field=name):
                misses = [r.name for r in self.results if not r.matches.get(name)]
                self.assertGreaterEqual(self.shares[name], 0.95, f"{name} differs in {misses}")


class TalonQuotesTest(SimpleTestCase):
    def test_the_new_part_of_replies_from_a_dozen_mail_clients_is_found(self):
        replies = sorted((TALON / "standard_replies").glob("*.eml"))
        right = []
        for path in replies:
            expected_file = path.with_name(path.stem + "_reply_text")
            expected = expected_file.read_text() if expected_file.exists() else "Hello"
            new = fold_quotes(parse_message(path.read_bytes()).body_text)[0]
            right.append(new.split() == expected.split())
        self.assertGreaterEqual(sum(right) / len(right), 0.8, right)

    def test_quoted_history_in_html_replies_is_folded(self):
        for path in sorted((TALON / "html_replies").glob("*.html")):
            with self.subTest(client=path.stem):
                raw = path.read_bytes().decode("utf-8", "replace")
                new = fold_body(html_to_text(raw), raw)[0]
                self.assertEqual(new.split(), ["Hi.", "I", "am", "fine.", "Thanks,", "Alex"])

    def test_talons_inline_cases_mostly_agree(self):
        cases = json.loads((TALON / "inline_cases.json").read_text())
        plain = [c for c in cases if c["function"].endswith("extract_from_plain")]
        right = [fold_quotes(c["input"])[0].split() == c["expected"].split() for c in plain]
        self.assertGreaterEqual(sum(right) / len(right), 0.9)


class HelpdeskCorpusTest(SimpleTestCase):
    def read(self, name: str):
        return parse_message((HELPDESK / name).read_bytes())

    def test_quoted_printable_and_8bit_subjects_and_bodies_decode(self):
        self.assertEqual(self.read("quoted_printable.eml").subject, "Český test")
        mail = self.read("all-special-chars.eml")
        self.assertEqual((mail.subject, mail.body_text.strip()), ("Testovácí email", "íářčšáíéřášč"))

    def test_invalid_utf8_is_recovered_not_raised(self):
        mail = self.read("utf-nondecodable.eml")
        self.assertEqual(mail.subject, "Fwd: Cyklozaměstnavatel - změna vyhodnocení")
        self.assertIn("prosazuje lepší", mail.body_text)

    def test_an_attachment_only_mail_has_an_empty_body_and_its_file(self):
        mail = self.read("blank-body-with-attachment.eml")
        self.assertEqual(mail.body_text.strip(), "")
        self.assertEqual(len(mail.attachments), 1)

    def test_a_pgp_signature_is_kept_as_an_attachment(self):
        self.assertIn("signature.asc", [a.filename for a in self.read("pgp.eml").attachments])


class HostileHeadersTest(SimpleTestCase):
    def test_an_encoded_word_cannot_smuggle_another_address_into_from(self):
        raw = b"From: =?utf-8?Q?agent=40victim.example=3E?= <=?utf-8?Q?x=40evil?=@attacker.example>\r\nSubject: hi\r\n\r\nbody"
        mail = parse_message(raw)
        self.assertTrue(mail.from_email.endswith("@attacker.example"), mail.from_email)
        self.assertNotIn("victim", mail.from_email)

    def test_a_plain_atom_in_an_encoded_word_is_decoded(self):
        mail = parse_message(b"From: =?utf-8?Q?agent?=@example.com\r\nSubject: t\r\n\r\nbody")
        self.assertEqual(mail.from_email, "agent@example.com")

    def test_a_nul_byte_in_an_encoded_words_charset_is_an_unknown_charset(self):
        # Found by the mangled-mail test below: the codec lookup raised ValueError, not LookupError.
        mail = parse_message(
            b"From: a@example.com\r\nSubject: =?\x00iso-8859-1?Q?Invoice_overdue?=\r\n\r\nbody"
        )
        self.assertEqual(mail.subject, "Invoice overdue")

    def test_a_message_of_garbage_bytes_does_not_raise(self):
        for raw in (
            b"",
            b"\x00\xff\xfe" * 100,
            b"Content-Type: multipart/mixed\r\n\r\n--",
            Path(__file__).read_bytes(),
        ):
            parse_message(raw)


def tnef(body: bytes, files: list[tuple[str, bytes]]) -> bytes:
    """A minimal winmail.dat as Outlook writes it: a body, then each file's title and data."""
    import struct

    def obj(level: int, name: int, kind: int, data: bytes) -> bytes:
        return (
            struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
        )

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += obj(1, 0x9006, 8, struct.pack("<I", 0x00010000))
    out += obj(1, 0x800C, 2, body)
    for name, data in files:
        out += obj(2, 0x9002, 6, b"\x01\x00" + b"\x00" * 12)
        out += obj(2, 0x8010, 1, name.encode() + b"\x00")
        out += obj(2, 0x800F, 6, data)
    return out


class WinmailDatTest(SimpleTestCase):
    def mail_with(self, payload: bytes) -> bytes:
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["From"] = "Outlook User <outlook@corp.example>"
        msg["Subject"] = "Report attached"
        msg.set_content("See the attachment.")
        msg.add_attachment(payload, maintype="application", subtype="ms-tnef", filename="winmail.dat")
        return msg.as_bytes()

    def test_the_files_inside_winmail_dat_become_attachments(self):
        raw = self.mail_with(
            tnef(b"Body from Outlook", [("report.pdf", b"%PDF-1.4 data"), ("notes.txt", b"hello")])
        )
        mail = parse_message(raw)
        self.assertEqual(sorted((a.filename, a.data) for a in mail.attachments),
                         [("notes.txt", b"hello"), ("report.pdf", b"%PDF-1.4 data")])  # fmt: skip
        self.assertEqual(
            next(a for a in mail.attachments if a.filename == "report.pdf").content_type, "application/pdf"
        )

    def test_a_winmail_dat_that_is_not_tnef_is_kept_as_it_is(self):
        mail = parse_message(self.mail_with(b"not really tnef"))
        self.assertEqual(
            [(a.filename, a.data) for a in mail.attachments], [("winmail.dat", b"not really tnef")]
        )


class ParserNeverRaisesTest(SimpleTestCase):
    """Real mails cut, spliced and sprinkled with bad bytes: the parser still answers."""

    def test_mangled_real_mail_never_raises(self):
        from hypothesis import given, settings
        from hypothesis import strategies as st

        boxes = sorted(corpus_dir().glob("*.box"))[:40]
        samples = [box.read_bytes()[:20_000] for box in boxes]

        @settings(max_examples=150, deadline=None, database=None)
        @given(
            st.integers(min_value=0, max_value=len(samples) - 1),
            st.integers(min_value=0, max_value=20_000),
            st.binary(max_size=64),
        )
        def mangled(index: int, cut: int, junk: bytes) -> None:
            raw = samples[index]
            parse_message(raw[:cut] + junk + raw[cut:])

        mangled()
