from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal-home", permanent=False)),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="system/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("agent/", include("helpwell.tickets.urls")),
    path("agent/", include("helpwell.people.urls")),
    path("agent/", include("helpwell.feedback.urls")),
    path("", include("helpwell.system.urls")),
    path("", include("helpwell.portal.urls")),
    path("", include("helpwell.mail.urls")),
    path("api/", include("helpwell.api.urls")),
]
