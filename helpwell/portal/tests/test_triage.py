from django.test import SimpleTestCase

from helpwell.portal.triage import MATRIX, Impact, Urgency, priority_for, priority_key_for
from helpwell.test import BaseTestCase


class PriorityKeyTests(SimpleTestCase):
    def test_the_whole_organisation_unable_to_work_is_urgent(self):
        self.assertEqual(priority_key_for(Impact.ORGANISATION, Urgency.BLOCKED), "urgent")

    def test_one_person_unable_to_work_is_high(self):
        self.assertEqual(priority_key_for(Impact.ME, Urgency.BLOCKED), "high")

    def test_something_that_can_wait_for_one_person_is_low(self):
        self.assertEqual(priority_key_for(Impact.ME, Urgency.CAN_WAIT), "low")

    def test_a_slowdown_is_normal_unless_it_hits_everyone(self):
        self.assertEqual(priority_key_for(Impact.SEVERAL, Urgency.SLOWS), "normal")
        self.assertEqual(priority_key_for(Impact.ORGANISATION, Urgency.SLOWS), "high")

    def test_unknown_answers_fall_back_to_normal(self):
        self.assertEqual(priority_key_for("everyone", "now"), "normal")

    def test_more_people_or_more_urgency_never_lowers_the_priority(self):
        rank = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
        impacts = [i for i, _ in Impact.CHOICES]
        urgencies = [u for u, _ in Urgency.CHOICES]
        for i, impact in enumerate(impacts):
            for j, urgency in enumerate(urgencies):
                here = rank[MATRIX[(impact, urgency)]]
                if i + 1 < len(impacts):
                    self.assertLessEqual(here, rank[MATRIX[(impacts[i + 1], urgency)]])
                if j + 1 < len(urgencies):
                    self.assertLessEqual(here, rank[MATRIX[(impact, urgencies[j + 1])]])


class PriorityRowTests(BaseTestCase):
    def test_it_finds_the_priority_row(self):
        self.assertEqual(priority_for(Impact.ORGANISATION, Urgency.BLOCKED), self.priorities["urgent"])

    def test_it_returns_none_when_a_lead_removed_that_priority(self):
        self.priorities["urgent"].delete()
        self.assertIsNone(priority_for(Impact.ORGANISATION, Urgency.BLOCKED))
