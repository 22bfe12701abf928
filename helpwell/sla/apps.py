from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "helpwell.sla"
    label = "sla"
    verbose_name = "Service levels"
