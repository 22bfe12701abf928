from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from helpwell.lib.process_cache import ProcessCache

from .models import SiteSettings

# Read on every page; kept per process (shared between requests: templates only read it).
SITE_SETTINGS: ProcessCache[None, SiteSettings] = ProcessCache(
    lambda _: SiteSettings.load(), depends_on=[SiteSettings]
)


def _site_settings(request: HttpRequest) -> SiteSettings:
    if not hasattr(request, "_site_settings"):
        request._site_settings = SITE_SETTINGS.get(None)  # type: ignore[attr-defined]
    return request._site_settings  # type: ignore[attr-defined]


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name and brand, the signed-in agent or customer and the worker's state for every template.

    Each is read only if the template asks for it: an htmx fragment (a suggestion list, a sidebar)
    renders with this context too and would otherwise pay for queries it never shows."""
    profile = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        profile = getattr(user, "agent", None)

    def worker() -> Any:
        if profile is None or not profile.is_admin:
            return None
        from .heartbeat import worker_status

        return worker_status()

    def customer() -> Any:
        if not hasattr(request, "session") or profile is not None:
            return None
        from helpwell.portal.access import portal_customer

        return portal_customer(request)

    return {
        "site": SimpleLazyObject(lambda: _site_settings(request)),
        "agent_profile": profile,
        "worker_status": SimpleLazyObject(worker),
        "portal_customer": SimpleLazyObject(customer),
    }
