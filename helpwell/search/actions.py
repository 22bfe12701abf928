from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from helpwell.system.audit import audit

from .models import SavedSearch

STATUSES = {"", "open", "new", "pending", "on_hold", "solved", "closed"}


@transaction.atomic
def do_save_search(user: Any, *, name: str, query: str, status: str = "") -> SavedSearch:
    name = name.strip()[:80]
    if not name:
        raise ValidationError("Give the search a name.")
    if status not in STATUSES:
        raise ValidationError("Unknown status.")
    saved, created = SavedSearch.objects.update_or_create(
        user=user, name=name, defaults={"query": query.strip()[:200], "status": status}
    )
    audit(
        user, "search.saved" if created else "search.updated", saved, {"query": saved.query, "status": status}
    )
    return saved


@transaction.atomic
def do_delete_saved_search(saved: SavedSearch, *, actor: Any) -> None:
    audit(actor, "search.deleted", saved, {"name": saved.name})
    saved.delete()
