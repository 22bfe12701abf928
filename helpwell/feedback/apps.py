from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "helpwell.feedback"
    label = "feedback"
