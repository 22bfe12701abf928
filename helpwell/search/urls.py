from django.urls import path

from . import views

urlpatterns = [
    path("agent/search/", views.global_search, name="search-global"),
    path("agent/search/more/", views.more_results, name="search-more"),
    path("agent/search/articles/", views.article_picker, name="search-article-picker"),
    path("agent/search/saved/", views.save_search, name="search-save"),
    path("agent/search/saved/<int:pk>/delete/", views.delete_saved_search, name="search-delete-saved"),
]
