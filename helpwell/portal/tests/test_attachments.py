from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase

from helpwell.portal.views import download_name
from helpwell.tickets.actions import do_reply
from helpwell.tickets.models import Attachment

from .base import PortalTestCase


class DownloadNameTests(SimpleTestCase):
    def test_it_drops_paths_quotes_and_control_characters(self):
        self.assertEqual(download_name("../../etc/passwd"), "passwd")
        self.assertEqual(download_name("C:\\Users\\me\\report.pdf"), "report.pdf")
        self.assertEqual(download_name('evil".pdf\r\nX-Header: 1'), "evil_.pdfX-Header_ 1")
        self.assertEqual(download_name("naïve résumé.pdf"), "naïve résumé.pdf")
        self.assertEqual(download_name(""), "attachment")
        self.assertEqual(download_name("..."), "attachment")


class AttachmentDownloadTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        upload = SimpleUploadedFile('inv"oice\n.pdf', b"%PDF-1.4 carol", content_type="application/pdf")
        self.ticket = self.make_ticket(attachments=[upload])
        self.attachment = Attachment.objects.get()
        self.url = f"/portal/attachments/{self.attachment.pk}/"

    def test_the_customer_downloads_it_safely(self):
        self.sign_in(self.carol)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.getvalue(), b"%PDF-1.4 carol")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertIn('filename="inv_oice.pdf"', response["Content-Disposition"])
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_another_customer_gets_not_found(self):
        self.sign_in(self.dan)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_stranger_is_sent_to_sign_in(self):
        self.assertRedirects(self.client.get(self.url), "/portal/signin/")

    def test_files_on_internal_notes_are_not_found(self):
        note_file = SimpleUploadedFile("notes.txt", b"internal", content_type="text/plain")
        do_reply(self.ticket, user=self.alice, body="Note", internal=True, attachments=[note_file])
        internal = Attachment.objects.get(filename="notes.txt")
        self.sign_in(self.carol)
        self.assertEqual(self.client.get(f"/portal/attachments/{internal.pk}/").status_code, 404)
        self.assertNotContains(self.client.get(f"/portal/requests/{self.ticket.reference}/"), "notes.txt")

    def test_agent_files_on_public_replies_can_be_downloaded(self):
        reply_file = SimpleUploadedFile("fixed.csv", b"a,b", content_type="text/csv")
        do_reply(self.ticket, user=self.alice, body="Here", attachments=[reply_file])
        public = Attachment.objects.get(filename="fixed.csv")
        self.sign_in(self.carol)
        self.assertEqual(self.client.get(f"/portal/attachments/{public.pk}/").status_code, 200)
