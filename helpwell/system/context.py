from django.http import HttpRequest

from .models import SiteSettings


def site(request: HttpRequest) -> dict:
    """Site name and brand for every template (cached on the request)."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.load()  # type: ignore[attr-defined]
    profile = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        profile = getattr(user, "agent", None)
    worker = None
    if profile is not None and profile.is_admin:
        from .heartbeat import worker_status

        worker = worker_status()
    customer = None
    if hasattr(request, "session") and profile is None:
        from helpwell.portal.access import portal_customer

        customer = portal_customer(request)
    return {
        "site": request._site_settings,  # type: ignore[attr-defined]
        "agent_profile": profile,
        "worker_status": worker,
        "portal_customer": customer,
    }
