from django.contrib import admin

from .models import Article, ArticleCategory


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-mostly: edits belong in the knowledge base editor (/agent/kb/), which versions and audits them."""

    list_display = ("title", "category", "visibility", "status", "owner", "review_by")
    list_filter = ("status", "visibility", "category")
    search_fields = ("title", "slug")
    readonly_fields = [f.name for f in Article._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
