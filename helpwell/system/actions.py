"""Changes to organisation-wide settings; every one is audited."""

from typing import Any

from django.db import transaction

from .audit import audit
from .models import SiteSettings

SITE_FIELDS = ("site_name", "brand_colour", "support_email", "team_page_enabled")


@transaction.atomic
def do_update_site_settings(site: SiteSettings, *, actor: Any, **values: Any) -> dict[str, list[Any]]:
    unknown = set(values) - set(SITE_FIELDS)
    if unknown:
        raise ValueError(f"Not site settings: {', '.join(sorted(unknown))}")
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(site, field)
        if old != new:
            setattr(site, field, new)
            changes[field] = [old, new]
    if changes:
        site.save(update_fields=list(changes))
        audit(actor, "system.settings_updated", site, changes)
    return changes
