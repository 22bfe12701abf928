from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "helpwell.kb"
    label = "kb"
    verbose_name = "Knowledge base"
