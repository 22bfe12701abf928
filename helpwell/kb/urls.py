from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_home, name="kb-help"),
    path("help/faq/", views.help_faq, name="kb-help-faq"),
    path("help/search/", views.help_search, name="kb-help-search"),
    path("help/suggest/", views.suggest, name="kb-suggest"),
    path("help/c/<slug:slug>/", views.help_category, name="kb-help-category"),
    path("help/articles/<slug:slug>/", views.help_article, name="kb-help-article"),
    path("help/articles/<slug:slug>/vote/", views.vote, name="kb-vote"),
    path("help/articles/<slug:slug>/answered/", views.answered, name="kb-answered"),
    path("agent/kb/", views.kb_list, name="kb-agent-list"),
    path("agent/kb/new/", views.article_new, name="kb-agent-new"),
    path("agent/kb/report/", views.report, name="kb-agent-report"),
    path("agent/kb/<slug:slug>/", views.article_agent, name="kb-agent-article"),
    path("agent/kb/<slug:slug>/edit/", views.article_edit, name="kb-agent-edit"),
    path("agent/kb/<slug:slug>/versions/", views.article_versions, name="kb-agent-versions"),
    path("agent/kb/<slug:slug>/translate/", views.article_translate, name="kb-agent-translate"),
    path("agent/kb/<slug:slug>/<str:action>/", views.article_state, name="kb-agent-state"),
]
