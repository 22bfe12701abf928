from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "helpwell.search"
    label = "search"
