"""A lead rewords a mail in the UI; the next mail uses it; back to the default restores the file."""

from django.urls import reverse

from helpwell.mail.models import MailTemplateOverride, OutgoingMail
from helpwell.system.models import AuditEntry
from helpwell.test import BaseTestCase
from helpwell.tickets.actions import do_reply


class MailTemplateEditingTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ticket = self.make_ticket(subject="Charged twice")
        self.url = reverse("mail-template-edit", args=["reply"])

    def form(self, **changes: str) -> dict[str, str]:
        page = self.client.get(self.url)
        data = {name: page.context["form"].initial[name] for name in ("subject", "text", "html")}
        return {**data, **changes}

    def test_the_list_shows_every_mail_and_is_for_leads(self):
        self.client.force_login(self.lena)
        page = self.client.get(reverse("mail-templates"))
        self.assertContains(page, "acknowledgement")
        self.assertContains(page, "attachment_refused")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("mail-templates")).status_code, 403)

    def test_a_leads_subject_is_used_by_the_next_reply_and_the_change_is_audited(self):
        self.client.force_login(self.lena)
        response = self.client.post(
            self.url, self.form(subject="[{{ ticket.reference }}] A word from Billing")
        )
        self.assertEqual(response.status_code, 302)

        with self.captureOnCommitCallbacks(execute=True):
            do_reply(self.ticket, user=self.alice, body="Refunded.")

        self.assertEqual(
            OutgoingMail.objects.get(kind="reply").subject, f"[{self.ticket.reference}] A word from Billing"
        )
        self.assertTrue(AuditEntry.objects.filter(action="mail.template_saved").exists())
        self.assertEqual(MailTemplateOverride.objects.get().part, "subject.txt")

    def test_a_broken_template_is_refused_with_the_reason(self):
        self.client.force_login(self.lena)
        response = self.client.post(self.url, self.form(text="Hello {% if %}"))
        self.assertContains(response, "The template has an error")
        self.assertFalse(MailTemplateOverride.objects.exists())

    def test_back_to_the_default_removes_the_override(self):
        self.client.force_login(self.lena)
        self.client.post(self.url, self.form(subject="Custom {{ ticket.reference }}"))
        self.client.post(self.url, {**self.form(), "reset": "1"})
        self.assertFalse(MailTemplateOverride.objects.exists())

    def test_html_in_the_preview_is_escaped_into_a_sandboxed_frame(self):
        self.client.force_login(self.lena)
        self.client.post(self.url, self.form(html="<p>Hi</p><script>alert(1)</script>"))
        page = self.client.get(self.url).content.decode()
        frame = page[page.index("<iframe") : page.index("</iframe>")]
        self.assertIn('sandbox=""', frame)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", frame)
        self.assertNotIn("<script", frame)
