from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "helpwell.api"
    label = "api"
