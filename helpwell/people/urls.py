from django.urls import path

from . import views

urlpatterns = [
    path("people/photo/<int:agent_id>/", views.agent_photo, name="people-photo"),
    path("agent/profile/", views.edit_profile, name="people-profile"),
    path("team/", views.team_page, name="people-team"),
]
