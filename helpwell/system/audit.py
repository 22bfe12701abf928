from typing import Any

from django.db import models

from . import deferred
from .models import AuditEntry


def audit(actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Record a change a person made; actor may be a User, a Customer or None (the system)."""
    user = actor if getattr(actor, "is_authenticated", False) and hasattr(actor, "get_username") else None
    return deferred.insert(AuditEntry(
        actor=user,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    ))  # fmt: skip
