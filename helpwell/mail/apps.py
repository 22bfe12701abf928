from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "helpwell.mail"
    label = "mail"
