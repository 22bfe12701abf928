from typing import Any
from unittest import mock

from django import forms
from django.db.models.fields.files import FieldFile
from django.test import SimpleTestCase

from helpwell.lib.widgets import (
    QuickClearableFileInput,
    QuickHiddenInput,
    QuickRadioSelect,
    QuickSelect,
    QuickTextInput,
)

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

    def test_radio_buttons_a_template_lays_out_render_as_django_renders_them(self) -> None:
        choices = [("public", "Public <reply>"), ("internal", 'Internal "note"')]

        class Form(forms.Form):
            quick = forms.ChoiceField(choices=choices, widget=QuickRadioSelect)
            django = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)

        for data in [None, {"quick": "internal", "django": "internal"}, {"quick": "<x>", "django": "<x>"}]:
            form = Form(data, auto_id="r_%s", initial={"quick": "public", "django": "public"})
            with self.subTest(data=data):
                quick = [choice.tag() for choice in form["quick"]]
                django = [choice.tag().replace('name="django"', 'name="quick"') for choice in form["django"]]
                self.assertEqual(quick, [html.replace("r_django", "r_quick") for html in django])
                if data is None or data["quick"] == "internal":
                    self.assertIn("checked", "".join(quick))
                # The whole group, and a choice's tag with its label, still come from Django's templates.
                self.assertEqual(
                    str(form["quick"]),
                    str(form["django"]).replace("django", "quick"),
                )
                wrapped = next(iter(form["quick"])).tag(wrap_label=True)
                self.assertIn("Public &lt;reply&gt;</label>", wrapped)

    def test_a_file_input_renders_as_django_renders_it_and_a_stored_file_keeps_the_template(self) -> None:
        class QuickMultiple(QuickClearableFileInput):
            allow_multiple_selected = True

        class DjangoMultiple(forms.ClearableFileInput):
            allow_multiple_selected = True

        cases: list[tuple[type[forms.ClearableFileInput], type[forms.ClearableFileInput], dict[str, Any]]] = [
            (QuickMultiple, DjangoMultiple, {"multiple": True}),
            (QuickClearableFileInput, forms.ClearableFileInput, {"accept": "image/*", "id": "f"}),
        ]
        for quick, django, attrs in cases:
            with self.subTest(attrs=attrs):
                self.assertEqual(
                    quick(attrs=attrs).render("files", None, {"id": "a"}),
                    django(attrs=attrs).render("files", None, {"id": "a"}),
                )
        storage = mock.Mock()
        storage.url.return_value = "/media/photos/ada.png"
        stored = FieldFile(mock.Mock(), mock.Mock(storage=storage), "photos/ada.png")
        html = QuickClearableFileInput().render("photo", stored, {"id": "p"})
        self.assertEqual(html, forms.ClearableFileInput().render("photo", stored, {"id": "p"}))
        self.assertIn("/media/photos/ada.png", html)
