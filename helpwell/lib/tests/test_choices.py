from typing import Any

from django import forms

from helpwell.lib.choices import RowsOnceModelChoiceField
from helpwell.people.models import Team
from helpwell.test import BaseTestCase


class TeamForm(forms.Form):
    team = RowsOnceModelChoiceField(queryset=Team.objects.order_by("name"), empty_label="Any team")


class RowsOnceModelChoiceFieldTests(BaseTestCase):
    def test_a_select_box_reads_its_options_once_however_often_it_is_rendered(self) -> None:
        form = TeamForm(initial={"team": self.shipping.pk})
        with self.assertNumQueries(1):
            html = str(form["team"]) + str(form["team"])
        self.assertIn(f'<option value="{self.shipping.pk}" selected>Shipping</option>', html)
        self.assertIn('<option value="">Any team</option>', html)

    def test_each_form_reads_the_rows_afresh_and_validation_still_asks_the_database(self) -> None:
        str(TeamForm()["team"])
        Team.objects.create(name="Returns", slug="returns")
        self.assertIn("Returns", str(TeamForm()["team"]))
        form = TeamForm(data={"team": "999999"})
        self.assertFalse(form.is_valid())
        self.assertIn("team", form.errors)

    def test_a_new_queryset_replaces_the_rows_read_for_the_old_one(self) -> None:
        form = TeamForm()
        str(form["team"])
        field: Any = form.fields["team"]
        field.queryset = Team.objects.filter(slug="billing")
        self.assertEqual([label for _, label in field.choices], ["Any team", "Billing"])
