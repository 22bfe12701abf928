from django.urls import path

from . import template_views, views

urlpatterns = [
    path("dev/mailbox/", views.mailbox, name="mail-mailbox"),
    path("dev/mailbox/<int:pk>/", views.mailbox_detail, name="mail-mailbox-detail"),
    path("dev/mailbox/<int:pk>/raw/", views.mailbox_raw, name="mail-mailbox-raw"),
    path("mail/inbound/", views.inbound_webhook, name="mail-inbound-webhook"),
    path("agent/mail/<int:pk>/raw/", views.inbound_raw, name="mail-inbound-raw"),
    path("mail/inline/<int:pk>/", views.inbound_inline_image, name="mail-inline-image"),
    path("agent/mail/<int:pk>/held/", views.decide_held_mail, name="mail-held-decide"),
    path("agent/settings/mail-templates/", template_views.template_list, name="mail-templates"),
    path(
        "agent/settings/mail-templates/<slug:name>/", template_views.template_edit, name="mail-template-edit"
    ),
]
