from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "helpwell.tickets"
    label = "tickets"
