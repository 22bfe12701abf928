from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "helpwell.sla"
    label = "sla"
    verbose_name = "Service levels"

    def ready(self) -> None:
        from helpwell.system import memo

        from .clocks import MEMO_MODELS
        from .models import DelayNotice

        memo.forget_when_changed(*MEMO_MODELS, DelayNotice)
