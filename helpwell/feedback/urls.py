from django.urls import path

from . import views

urlpatterns = [
    path("ratings/", views.ratings_page, name="feedback-ratings"),
]
