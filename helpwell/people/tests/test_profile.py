import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from helpwell.people.actions import do_update_profile
from helpwell.system.models import AuditEntry
from helpwell.test import PASSWORD, BaseTestCase


def png_bytes(size=(640, 400), colour="orange") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(size=(800, 1200)) -> bytes:
    image = Image.new("RGB", size, "teal")
    exif = Image.Exif()
    exif[0x013B] = "Alice's phone"  # Artist
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 1  # Orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@override_settings(MEDIA_ROOT="/tmp/helpwell-test-media")
class ProfileTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.login(username="alice", password=PASSWORD)
        self.url = reverse("people-profile")
        self.agent = self.alice.agent

    def post(self, **overrides):
        data = {
            "display_name": "Alice Martin",
            "job_title": "Billing specialist",
            "bio": "I untangle invoices.",
            "interests": "Climbing, sourdough",
            "languages": "English, Français",
            "time_zone": "Europe/Paris",
            "show_on_team_page": "on",
        }
        data.update(overrides)
        return self.client.post(self.url, data)

    def served_photo(self):
        response = self.client.get(reverse("people-photo", args=[self.agent.pk]))
        self.assertEqual(response.status_code, 200)
        return response

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        self.client.logout()
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/login/?next={self.url}", fetch_redirect_response=False)

    def test_it_shows_the_form_with_what_is_saved(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Your profile")
        self.assertContains(response, 'value="Alice Martin"')
        self.assertContains(response, "How customers see you")

    def test_it_saves_the_profile_and_audits_it(self):
        response = self.post()
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.agent.refresh_from_db()
        self.assertEqual(self.agent.job_title, "Billing specialist")
        self.assertEqual(self.agent.time_zone, "Europe/Paris")
        entry = AuditEntry.objects.get(action="people.profile_updated")
        self.assertEqual(entry.actor, self.alice)
        self.assertEqual(entry.changes["job_title"], ["Support specialist", "Billing specialist"])
        self.assertContains(self.client.get(self.url), "Your profile is saved")

    def test_it_resizes_an_uploaded_png_to_a_256_square_jpeg(self):
        upload = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
        self.assertRedirects(self.post(photo=upload), self.url)
        self.agent.refresh_from_db()
        self.assertTrue(str(self.agent.photo.name).endswith(".jpg"))
        response = self.served_photo()
        self.assertEqual(response["Content-Type"], "image/jpeg")
        image = Image.open(io.BytesIO(response.content))
        self.assertEqual((image.format, image.size), ("JPEG", (256, 256)))
        self.assertTrue(
            AuditEntry.objects.filter(action="people.photo_set", object_id=str(self.agent.pk)).exists()
        )

    def test_it_drops_exif_from_an_uploaded_jpeg(self):
        original = jpeg_with_exif()
        self.assertIn(b"SecretCam", original)
        self.post(photo=SimpleUploadedFile("me.jpg", original, content_type="image/jpeg"))
        served = self.served_photo().content
        image = Image.open(io.BytesIO(served))
        self.assertEqual(image.size, (256, 256))
        self.assertEqual(dict(image.getexif()), {})
        self.assertNotIn(b"SecretCam", served)
        self.assertNotIn(b"Exif", served)

    def test_it_rejects_a_text_file_named_jpg_and_keeps_what_was_typed(self):
        fake = SimpleUploadedFile("holiday.jpg", b"this is not a picture at all\n", content_type="image/jpeg")
        response = self.post(photo=fake, job_title="Invoice whisperer", bio="Typed with care.")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not a picture we can read")
        self.assertContains(response, 'value="Invoice whisperer"')
        self.assertContains(response, "Typed with care.")
        self.agent.refresh_from_db()
        self.assertEqual(self.agent.job_title, "Support specialist")
        self.assertFalse(self.agent.photo)
        self.assertFalse(AuditEntry.objects.exists())

    def test_it_replaces_and_then_removes_a_photo(self):
        self.post(photo=SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))
        self.agent.refresh_from_db()
        first = str(self.agent.photo.name)
        storage = self.agent.photo.storage
        with self.captureOnCommitCallbacks(execute=True):
            self.post(photo=SimpleUploadedFile("b.png", png_bytes(colour="navy"), content_type="image/png"))
        self.agent.refresh_from_db()
        self.assertNotEqual(self.agent.photo.name, first)
        self.assertFalse(storage.exists(first))
        with self.captureOnCommitCallbacks(execute=True):
            self.post(remove_photo="on")
        self.agent.refresh_from_db()
        self.assertFalse(self.agent.photo)
        self.assertEqual(self.served_photo()["Content-Type"], "image/png")

    def test_it_refuses_an_empty_display_name(self):
        response = self.post(display_name="   ")
        self.assertContains(response, "A display name is needed")
        self.agent.refresh_from_db()
        self.assertEqual(self.agent.display_name, "Alice Martin")

    def test_the_action_ignores_unchanged_values(self):
        self.assertEqual(do_update_profile(self.agent, actor=self.alice, display_name="Alice Martin"), {})
        self.assertFalse(AuditEntry.objects.exists())

    def test_it_is_not_for_accounts_without_an_agent(self):
        from django.contrib.auth.models import User

        User.objects.create_user("visitor", password=PASSWORD)
        self.client.login(username="visitor", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 404)
