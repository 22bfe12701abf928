from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "helpwell.tickets"
    label = "tickets"

    def ready(self) -> None:
        from helpwell.people.models import Team
        from helpwell.system import memo

        from .models import Priority

        # The default priority and team are read once per batch of a bulk import (helpwell.system.memo).
        memo.forget_when_changed(Priority, Team)
