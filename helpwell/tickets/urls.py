"""The agent workspace, mounted under /agent/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ticket_queue, name="tickets-queue"),
    path("bulk/", views.bulk_update, name="tickets-bulk"),
    path("tickets/<str:reference>/", views.ticket_detail, name="tickets-detail"),
    path("tickets/<str:reference>/properties/", views.update_properties, name="tickets-properties"),
    path("tickets/<str:reference>/claim/", views.claim_ticket, name="tickets-claim"),
    path("tickets/<str:reference>/reply/", views.reply_ticket, name="tickets-reply"),
    path("attachments/<int:pk>/", views.download_attachment, name="tickets-attachment"),
]
