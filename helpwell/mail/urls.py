from django.urls import path

from . import views

urlpatterns = [
    path("dev/mailbox/", views.mailbox, name="mail-mailbox"),
    path("dev/mailbox/<int:pk>/", views.mailbox_detail, name="mail-mailbox-detail"),
    path("dev/mailbox/<int:pk>/raw/", views.mailbox_raw, name="mail-mailbox-raw"),
]
