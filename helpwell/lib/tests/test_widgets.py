from django import forms
from django.test import SimpleTestCase

from helpwell.lib.widgets import QuickHiddenInput, QuickSelect, QuickTextInput

CHOICES = [("", "No <category>"), (1, 'Refunds & "returns"'), (2, "Two")]


def django_markup(html: str) -> str:
    """Django's templates put each option on a line of its own; the quick widgets do not."""
    return "".join(line.strip() for line in html.splitlines())


class QuickWidgetsTests(SimpleTestCase):
    def test_a_select_renders_as_django_renders_it(self) -> None:
        for value in ["1", 1, None, "2", "<script>"]:
            for attrs in [{"id": "x", "required": True}, {"id": "y", "disabled": False, "data-x": "a&b"}]:
                with self.subTest(value=value, attrs=attrs):
                    self.assertEqual(
                        QuickSelect(choices=CHOICES).render("category", value, attrs),
                        django_markup(forms.Select(choices=CHOICES).render("category", value, attrs)),
                    )

    def test_option_groups_render_as_django_renders_them(self) -> None:
        grouped = [("Billing", [(1, "Invoices"), (2, "Refunds")]), ("Shipping", [(3, "Returns")])]
        self.assertEqual(
            QuickSelect(choices=grouped).render("category", "2", {"id": "c"}),
            django_markup(forms.Select(choices=grouped).render("category", "2", {"id": "c"})),
        )

    def test_inputs_render_as_django_renders_them_and_escape_what_they_are_given(self) -> None:
        for quick, django in [(QuickTextInput, forms.TextInput), (QuickHiddenInput, forms.HiddenInput)]:
            for value in ['a "quoted" <b>', None, 3]:
                with self.subTest(widget=django.__name__, value=value):
                    attrs = {"placeholder": 'e.g. "refund"', "autocomplete": "off"}
                    html = quick(attrs=attrs).render("tags", value, {"id": "t"})
                    self.assertEqual(html, django(attrs=attrs).render("tags", value, {"id": "t"}))
                    self.assertNotIn("<b>", html)
