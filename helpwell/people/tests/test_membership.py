from django.core.exceptions import ValidationError

from helpwell.people.actions import do_update_membership
from helpwell.people.models import Role
from helpwell.system.models import AuditEntry
from helpwell.test import BaseTestCase


class MembershipTests(BaseTestCase):
    def test_it_changes_role_and_teams_and_audits_it(self):
        changes = do_update_membership(
            self.bob.agent, role=Role.LEAD, teams=[self.billing, self.shipping], actor=self.ada
        )
        self.assertEqual(changes["role"], ["agent", "lead"])
        self.bob.agent.refresh_from_db()
        self.assertEqual(self.bob.agent.role, Role.LEAD)
        self.assertEqual(set(self.bob.agent.teams.all()), {self.billing, self.shipping})
        entry = AuditEntry.objects.get()
        self.assertEqual(entry.actor, self.ada)
        self.assertEqual(entry.changes["teams"], [["Billing"], ["Billing", "Shipping"]])

    def test_it_keeps_at_least_one_admin(self):
        with self.assertRaisesMessage(ValidationError, "only admin"):
            do_update_membership(self.ada.agent, role=Role.AGENT, teams=[], actor=self.ada)
        self.ada.agent.refresh_from_db()
        self.assertEqual(self.ada.agent.role, Role.ADMIN)

    def test_it_records_nothing_when_nothing_changes(self):
        self.assertEqual(
            do_update_membership(self.bob.agent, role=Role.AGENT, teams=[self.billing], actor=self.ada), {}
        )
        self.assertFalse(AuditEntry.objects.exists())
