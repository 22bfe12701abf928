from django.urls import path

from . import views

urlpatterns = [
    path("agent/sla/", views.dashboard, name="sla-dashboard"),
    path("agent/sla/settings/", views.settings_page, name="sla-settings"),
    path("agent/sla/settings/<str:kind>/new/", views.edit_setting, name="sla-new"),
    path("agent/sla/settings/<str:kind>/<int:pk>/", views.edit_setting, name="sla-edit"),
    path("agent/sla/calendars/<int:pk>/closures/", views.add_closure, name="sla-add-closure"),
    path("agent/sla/closures/<int:pk>/delete/", views.delete_closure, name="sla-delete-closure"),
    path("agent/sla/paths/<int:pk>/levels/", views.add_level, name="sla-add-level"),
    path("agent/sla/levels/<int:pk>/delete/", views.delete_level, name="sla-delete-level"),
    path("agent/sla/jobs/<int:pk>/", views.job_progress, name="sla-job"),
    path("agent/sla/notices/", views.notices, name="sla-notices"),
    path("agent/sla/notices/<int:pk>/", views.notice_detail, name="sla-notice"),
    path("portal/requests/<str:reference>/escalate/", views.escalate, name="sla-escalate"),
    path("portal/requests/<str:reference>/escalated/<int:pk>/", views.escalated, name="sla-escalated"),
]
