from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "helpwell.people"
    label = "people"
