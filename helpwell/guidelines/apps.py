from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class GuidelinesConfig(AppConfig):
    name = "helpwell.guidelines"
    label = "guidelines"

    def ready(self) -> None:
        from helpwell.system import memo

        from .actions import forget_abuse_terms
        from .models import AbuseTerm, CustomerReview

        memo.forget_when_changed(CustomerReview)  # a bulk job's batch keeps who is on review

        # Terms change through the settings page or the admin; either way the cached list goes.
        post_save.connect(forget_abuse_terms, sender=AbuseTerm, dispatch_uid="guidelines-abuse-terms-saved")
        post_delete.connect(
            forget_abuse_terms, sender=AbuseTerm, dispatch_uid="guidelines-abuse-terms-deleted"
        )
