"""Agent-side pages are mounted under /agent/; the code of conduct is public."""

from django.urls import path

from . import views

urlpatterns = [
    path("agent/guidelines/", views.guidelines_page, name="guidelines-page"),
    path("agent/guidelines/settings/", views.guideline_settings, name="guidelines-settings"),
    path("agent/guidelines/report/", views.outcomes_report, name="guidelines-report"),
    path("agent/guidelines/wellbeing/", views.wellbeing, name="guidelines-wellbeing"),
    path("agent/guidelines/customers/<int:pk>/review/", views.customer_review, name="guidelines-review"),
    path("agent/tickets/<str:reference>/guidelines/check/", views.check_reply_draft, name="guidelines-check"),
    path(
        "agent/tickets/<str:reference>/guidelines/outcome/", views.record_outcome, name="guidelines-outcome"
    ),
    path("agent/tickets/<str:reference>/guidelines/take-over/", views.take_over, name="guidelines-take-over"),
    path("agent/tickets/<str:reference>/guidelines/reassign/", views.reassign, name="guidelines-reassign"),
    path(
        "agent/tickets/<str:reference>/guidelines/opened/<int:pk>/",
        views.opened_shielded,
        name="guidelines-opened",
    ),
    path("conduct/", views.code_of_conduct, name="guidelines-conduct"),
]
