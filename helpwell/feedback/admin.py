from django.contrib import admin

from helpwell.people.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin, AuditedAdmin):
    """Ratings are the customer's words: readable and searchable here, never edited."""

    list_display = ["ticket", "score", "customer", "agent", "has_comment", "created_at"]
    list_filter = ["score", "created_at"]
    search_fields = ["=ticket__reference", "customer__email", "comment"]
    list_select_related = ["ticket", "customer", "agent"]
    raw_id_fields = ["ticket", "customer", "agent"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(boolean=True, description="Comment")
    def has_comment(self, obj: Rating) -> bool:
        return bool(obj.comment)
