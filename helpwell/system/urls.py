from django.urls import path

from . import views

urlpatterns = [
    path("health/", views.health, name="system-health"),
    path("agent/settings/", views.settings_page, name="system-settings"),
    path("agent/settings/site/", views.update_site, name="system-settings-site"),
    path("agent/settings/priorities/<int:pk>/", views.update_priority, name="system-settings-priority"),
    path("agent/settings/agents/<int:pk>/", views.update_agent, name="system-settings-agent"),
]
