from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "helpwell.portal"
    label = "portal"
