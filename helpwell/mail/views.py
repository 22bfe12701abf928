"""The dev mailbox: every mail the local catcher caught, so a new user can watch mail flow."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from helpwell.lib.ratelimit import hit_request

from .access import (
    caught_mail_for_agent,
    get_caught_mail_for_agent,
    get_inbound_mail_for_agent,
    get_inbound_mail_for_viewer,
)
from .catcher import read_caught_mail
from .inbound.ingest import do_discard_held_mail, receive, retry
from .inbound.parse import parse_message
from .models import InboundMail, OutgoingMail

PAGE_SIZE = 100
INBOUND_SHOWN = 20


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
        "inbound": list(
            InboundMail.objects.select_related("ticket")
            .defer("raw", "full_text")
            .order_by("-received_at", "-pk")[:INBOUND_SHOWN]
        ),
        "inbound_smtp": f"127.0.0.1:{settings.INBOUND_SMTP_PORT}" if settings.INBOUND_SMTP_PORT else "",
        "support_email": settings.DEFAULT_FROM_EMAIL,
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


# ---------------------------------------------------------------- inbound webhook


@csrf_exempt
@require_POST
def inbound_webhook(request: HttpRequest) -> HttpResponse:
    """An email provider's inbound webhook posts the raw MIME message here, with the shared token.

    The body is the message itself (Content-Type message/rfc822 or application/octet-stream), or a
    form with the message in a field or file called "email" (as SendGrid's and Mailgun's raw modes
    send it). Answers 202 once the raw bytes are stored; the same Message-ID again is a 200 no-op.
    """
    token = settings.INBOUND_MAIL_TOKEN
    if not token:
        raise Http404("The inbound mail endpoint is off (set HELPWELL_INBOUND_MAIL_TOKEN).")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or request.GET.get(
        "token", ""
    )
    if not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"error": "invalid token"}, status=401)
    verdict = hit_request(request, "mail-inbound", limit=settings.INBOUND_MAIL_RATE)
    if not verdict:
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        upload = request.FILES.get("email")
        raw = upload.read() if upload is not None else request.POST.get("email", "").encode("utf-8")
    else:
        raw = request.body
    if not raw.strip():
        return JsonResponse({"error": "no message in the request"}, status=400)
    inbound, created = receive(raw, source=InboundMail.Source.HTTP, process_now=False)
    return JsonResponse({"id": inbound.pk, "duplicate": not created}, status=202 if created else 200)


@require_safe
@login_required
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """A received mail exactly as it came, for an agent who may see its ticket: a download, never rendered."""
    inbound = get_inbound_mail_for_agent(request.user, pk)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="helpwell-inbound-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@login_required
def decide_held_mail(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent accepts (sender joins the ticket, mail is posted) or discards a held mail."""
    inbound = get_inbound_mail_for_agent(request.user, pk, write=True)
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            retry(inbound, actor=request.user)
            messages.success(request, f"{inbound.from_email} is now on this ticket and the mail is posted.")
        elif decision == "discard":
            do_discard_held_mail(inbound, actor=request.user)
            messages.success(request, "The mail was discarded; it stays stored for the record.")
        else:
            return HttpResponseBadRequest("Choose accept or discard.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    if inbound.ticket is None:
        return redirect("/agent/")
    return redirect(reverse("tickets-detail", args=[inbound.ticket.reference]))


INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


@require_safe
def inbound_inline_image(request: HttpRequest, pk: int) -> HttpResponse:
    """An image a received mail carries inline (cid:), shown in the message on the agent's ticket page
    and in the customer's portal: for agents who may see the ticket and the customer whose ticket it is."""
    inbound = get_inbound_mail_for_viewer(request, pk)
    cid = request.GET.get("cid", "")
    part = next((a for a in parse_message(bytes(inbound.raw)).attachments if a.content_id == cid), None)
    if part is None or part.content_type not in INLINE_IMAGE_TYPES:
        raise Http404("No such image in this mail.")
    response = HttpResponse(part.data, content_type=part.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response
