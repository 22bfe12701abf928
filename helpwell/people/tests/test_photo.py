import io

from django.urls import reverse
from PIL import Image

from helpwell.test import BaseTestCase


class PhotoTests(BaseTestCase):
    def url(self, agent_id):
        return reverse("people-photo", args=[agent_id])

    def test_it_serves_a_generated_initials_png_to_anyone(self):
        agent = self.bob.agent
        agent.avatar_colour = "#0f766e"
        agent.save()
        response = self.client.get(self.url(agent.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("max-age=", response["Cache-Control"])
        self.assertTrue(response["ETag"].startswith('"'))
        image = Image.open(io.BytesIO(response.content))
        self.assertEqual((image.format, image.size), ("PNG", (256, 256)))
        self.assertEqual(image.convert("RGB").getpixel((4, 4)), (0x0F, 0x76, 0x6E))

    def test_it_answers_not_modified_for_a_matching_etag(self):
        first = self.client.get(self.url(self.bob.agent.pk))
        again = self.client.get(self.url(self.bob.agent.pk), headers={"If-None-Match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_it_changes_the_etag_when_the_initials_change(self):
        before = self.client.get(self.url(self.bob.agent.pk))["ETag"]
        self.bob.agent.display_name = "Robert Okafor"
        self.bob.agent.save()
        self.assertNotEqual(self.client.get(self.url(self.bob.agent.pk))["ETag"], before)

    def test_it_is_404_for_anything_but_an_agent(self):
        self.assertEqual(self.client.get(self.url(999_999)).status_code, 404)

    def test_it_refuses_writes(self):
        self.assertEqual(self.client.post(self.url(self.bob.agent.pk)).status_code, 405)
