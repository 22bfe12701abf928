from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from helpwell.system.views import SignInView

urlpatterns = [
    # The API first: Django tries patterns in order, and every app mounted at "" before it would be
    # walked (and its misses listed) on each API call, a third of the cost of a small API request.
    path("api/", include("helpwell.api.urls")),
    path("", RedirectView.as_view(pattern_name="portal-home", permanent=False)),
    path("admin/", admin.site.urls),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("agent/", include("helpwell.tickets.urls")),
    path("", include("helpwell.people.urls")),
    path("agent/", include("helpwell.feedback.urls")),
    path("", include("helpwell.system.urls")),
    path("", include("helpwell.sla.urls")),
    path("", include("helpwell.portal.urls")),
    path("", include("helpwell.mail.urls")),
    path("", include("helpwell.kb.urls")),
    path("", include("helpwell.search.urls")),
    path("", include("helpwell.guidelines.urls")),
]
