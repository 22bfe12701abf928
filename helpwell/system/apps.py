from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "helpwell.system"
    label = "system"
