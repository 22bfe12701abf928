from django.urls import path

from . import views

urlpatterns = [
    path("portal/", views.home, name="portal-home"),
    path("portal/new/", views.new_request, name="portal-new-request"),
    path("portal/submitted/<str:reference>/", views.submitted, name="portal-submitted"),
    path("portal/signin/", views.signin, name="portal-signin"),
    path("portal/signout/", views.signout, name="portal-signout"),
    path("portal/access/<str:token>/", views.access_link, name="portal-access"),
    path("portal/requests/", views.request_list, name="portal-requests"),
    path("portal/requests/<str:reference>/", views.request_detail, name="portal-request"),
    path("portal/requests/<str:reference>/reply/", views.reply, name="portal-reply"),
    path("portal/requests/<str:reference>/solve/", views.solve, name="portal-solve"),
    path("portal/requests/<str:reference>/reopen/", views.reopen, name="portal-reopen"),
    path("portal/requests/<str:reference>/rate/", views.rate_request, name="portal-rate-request"),
    path("portal/rate/<str:token>/<int:score>/", views.rate, name="portal-rate"),
    path("portal/attachments/<int:pk>/", views.attachment, name="portal-attachment"),
    path("priorities/", views.priorities, name="portal-priorities"),
]
