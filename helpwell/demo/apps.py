from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "helpwell.demo"
    label = "demo"
