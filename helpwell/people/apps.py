from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "helpwell.people"
    label = "people"

    def ready(self) -> None:
        from helpwell.system import memo

        from .models import Organisation

        # A bulk mail import reads each sender domain's organisation once per batch (helpwell.system.memo).
        memo.forget_when_changed(Organisation)
