"""The dev mailbox: every mail the local catcher caught, so a new user can watch mail flow."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .access import caught_mail_for_agent, get_caught_mail_for_agent
from .catcher import read_caught_mail
from .models import OutgoingMail

PAGE_SIZE = 100


def _outbox_counts() -> dict[str, int]:
    counts = {status: 0 for status in OutgoingMail.Status.values}
    for row in OutgoingMail.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


@require_safe
@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    mails = caught_mail_for_agent(request.user).defer("raw").order_by("-received_at", "-pk")
    context = {
        "nav": "mailbox",
        "mails": list(mails[:PAGE_SIZE]),
        "page_size": PAGE_SIZE,
        "outbox": _outbox_counts(),
        "catcher_enabled": settings.MAILCATCHER_ENABLED,
        "smtp": f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
    }
    if getattr(request, "htmx", False):
        return render(request, "mail/mailbox.html#live", context)
    return render(request, "mail/mailbox.html", context)


@require_safe
@login_required
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mail = get_caught_mail_for_agent(request.user, pk)
    read = read_caught_mail(bytes(mail.raw))
    response = render(request, "mail/mailbox_detail.html", {"nav": "mailbox", "mail": mail, "read": read})
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@login_required
def mailbox_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as received, as a download: never rendered by the browser."""
    mail = get_caught_mail_for_agent(request.user, pk)
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="helpwell-mail-{mail.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
