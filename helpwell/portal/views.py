"""The customer side of Helpwell: ask for help, follow a request, reply, close the loop.

Views parse, ask portal.access who may see what, call an action, respond. Every POST a stranger can
make is rate-limited per client address (settings.PUBLIC_FORM_RATE an hour, per form).
"""

import math
import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpwell.feedback.actions import do_rate_ticket
from helpwell.feedback.models import SCORE_LABELS, Rating
from helpwell.kb.actions import do_note_request_submitted
from helpwell.lib.ratelimit import hit, hit_request
from helpwell.lib.timefmt import local_time_phrase
from helpwell.people.models import Customer
from helpwell.sla.promise import first_reply_target, first_response_promise
from helpwell.tickets.access import messages_for_customer
from helpwell.tickets.actions import ALLOWED_ATTACHMENT_TYPES, do_change_status, do_customer_reply
from helpwell.tickets.models import Priority, Status, Ticket

from . import access
from .actions import do_send_portal_link, do_submit_request
from .forms import RatingForm, ReplyForm, RequestForm, SignInForm
from .links import customer_from_token
from .triage import MATRIX, Impact, Urgency

PAGE_SIZE = 20
# Sign-in links one address may receive an hour, whoever asks for them.
SIGNIN_MAILS_PER_ADDRESS = 5

# What each status means to the person who asked, in their words rather than ours.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    Status.NEW: ("Received", "We have your request and a person will pick it up soon."),
    Status.OPEN: ("In progress", "Someone on our team is working on it."),
    Status.PENDING: ("Waiting for you", "We asked you something; reply below and we will carry on."),
    Status.ON_HOLD: ("On hold", "We are waiting on someone else, such as a supplier, and will update you."),
    Status.SOLVED: ("Solved", "We think this is solved. Not quite? Reply or reopen it and we carry on."),
    Status.CLOSED: ("Closed", "This request is closed. If you need more help, send us a new request."),
}


def status_words(status: str) -> dict[str, str]:
    label, help_text = STATUS_WORDS.get(status, (status, ""))
    return {"label": label, "help": help_text, "key": status}


# --- helpers -------------------------------------------------------------------------------------


def rate_limited(name: str) -> Callable:
    """Refuse a POST with a friendly 429 page once the client address has used this form too often."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                verdict = hit_request(request, name, limit=settings.PUBLIC_FORM_RATE)
                if not verdict:
                    response = render(
                        request,
                        "portal/rate_limited.html",
                        {"retry_minutes": math.ceil(verdict.retry_after / 60)},
                        status=429,
                    )
                    response["Retry-After"] = str(verdict.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def customer_required(view: Callable) -> Callable:
    """Signed-in customers only; anyone else goes to the sign-in page (which sends a magic link)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = access.portal_customer(request)
        if customer is None:
            url = reverse("portal-signin")
            reference = kwargs.get("reference")
            if reference:
                url += "?" + urlencode({"next": reference})
            return redirect(url)
        return view(request, customer, *args, **kwargs)

    return wrapper


def download_name(filename: str) -> str:
    """A stored filename made safe for Content-Disposition: no path, no control characters, no quotes."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*;]', "_", name).strip(" .")
    return name[:150] or "attachment"


def _due_phrase(ticket: Ticket, customer: Customer) -> str:
    if ticket.first_response_due is not None:
        return first_response_promise(ticket, customer.zone).phrase
    return local_time_phrase(ticket.first_response_due_for(), customer.zone)


# --- public pages --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    customer = access.portal_customer(request)
    recent = []
    if customer is not None:
        recent = [
            (t, status_words(t.status))
            for t in Ticket.objects.filter(customer=customer)
            .select_related("priority")
            .order_by("-updated_at")[:3]
        ]
    return render(
        request,
        "portal/home.html",
        {"priorities": Priority.objects.all(), "customer": customer, "recent": recent},
    )


@require_GET
def priorities(request: HttpRequest) -> HttpResponse:
    access.portal_customer(request)
    by_key = {p.key: p for p in Priority.objects.all()}
    matrix = [
        (impact_label, [by_key.get(MATRIX[(impact, urgency)]) for urgency, _ in Urgency.CHOICES])
        for impact, impact_label in Impact.CHOICES
    ]
    return render(
        request,
        "portal/priorities.html",
        {"priorities": list(by_key.values()), "matrix": matrix, "urgencies": Urgency.CHOICES},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("portal-new-request")
def new_request(request: HttpRequest) -> HttpResponse:
    customer = access.portal_customer(request)
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        if form.is_bot:
            # Say as little as possible to a bot, and create nothing.
            form.add_error(None, "We could not accept this form. Please try again.")
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ticket = do_submit_request(
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    description=data["description"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    category=data["category"],
                    attachments=data["attachments"],
                    time_zone=data["time_zone"],
                )
            except ValidationError as exc:
                form.add_error("attachments", exc)
            else:
                access.remember_submission(request, ticket.reference)
                do_note_request_submitted(request.session.session_key or "")
                return redirect("portal-submitted", reference=ticket.reference)
    else:
        initial = {"name": customer.name, "email": customer.email} if customer else {}
        form = RequestForm(initial=initial)
    priority_table = {f"{i}|{u}": key for (i, u), key in MATRIX.items()}
    priorities_by_key = {
        p.key: {"name": p.name, "target": first_reply_target(p), "definition": p.definition}
        for p in Priority.objects.all()
    }
    return render(
        request,
        "portal/new_request.html",
        {
            "form": form,
            "customer": customer,
            "priority_table": priority_table,
            "priorities_by_key": priorities_by_key,
            "had_files": bool(request.method == "POST" and request.FILES),
        },
        status=status,
    )


@never_cache
@require_GET
def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = access.get_submitted_ticket(request, reference)
    customer = access.portal_customer(request)
    return render(
        request,
        "portal/submitted.html",
        {
            "ticket": ticket,
            "priority": ticket.priority,
            "due_phrase": _due_phrase(ticket, ticket.customer),
            "promise": first_response_promise(ticket, ticket.customer.zone),
            "email": ticket.customer.email,
            "signed_in_as_owner": customer is not None and customer.pk == ticket.customer_id,
        },
    )


# --- signing in and out --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("portal-signin")
def signin(request: HttpRequest) -> HttpResponse:
    customer = access.portal_customer(request)
    next_reference = (request.POST.get("next") or request.GET.get("next") or "").strip()[:20]
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            found = Customer.objects.with_email(email).first()
            # A second, per-address limit stops anyone flooding one customer's inbox with links.
            if found is not None and hit_request_for_email(email):
                do_send_portal_link(found, next_reference=access.safe_next_reference(found, next_reference))
            # The same answer whether or not we know the address: the form reveals no customers.
            return render(request, "portal/signin_sent.html", {"email": email})
    else:
        form = SignInForm()
    return render(request, "portal/signin.html", {"form": form, "next": next_reference, "customer": customer})


def hit_request_for_email(email: str) -> bool:
    return bool(hit("portal-signin-email", email.strip().lower(), limit=SIGNIN_MAILS_PER_ADDRESS))


@never_cache
@require_GET
def access_link(request: HttpRequest, token: str) -> HttpResponse:
    customer = customer_from_token(token)
    if customer is None:
        return render(
            request, "portal/link_invalid.html", {"form": SignInForm(), "kind": "access"}, status=404
        )
    access.sign_in(request, customer)
    reference = access.safe_next_reference(customer, request.GET.get("next"))
    if reference and request.GET.get("then") == "escalate":  # "Escalate this request" in a mail
        return redirect("sla-escalate", reference=reference)
    if reference:
        return redirect("portal-request", reference=reference)
    return redirect("portal-requests")


@never_cache
@require_http_methods(["GET", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        access.sign_out(request)
        messages.success(request, "You are signed out. Your requests stay safe with us.")
        return redirect("portal-home")
    return render(request, "portal/signout.html", {"customer": access.portal_customer(request)})


# --- my requests ---------------------------------------------------------------------------------


@never_cache
@require_GET
@customer_required
def request_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    tickets = (
        Ticket.objects.filter(customer=customer).select_related("priority").order_by("-updated_at", "-id")
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(t, status_words(t.status)) for t in page.object_list]
    open_count = Ticket.objects.filter(customer=customer, is_open=True).count()
    return render(
        request,
        "portal/request_list.html",
        {"customer": customer, "page": page, "rows": rows, "open_count": open_count},
    )


def _detail_context(request: HttpRequest, customer: Customer, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    rating = Rating.objects.filter(ticket=ticket).first()
    rating_initial = {"score": rating.score, "comment": rating.comment} if rating else {}
    assignee_agent = getattr(ticket.assignee, "agent", None) if ticket.assignee_id else None
    return {
        "customer": customer,
        "ticket": ticket,
        "thread": list(messages_for_customer(ticket)),
        "status": status_words(ticket.status),
        "priority": ticket.priority,
        "due_phrase": _due_phrase(ticket, customer),
        "first_response_phrase": (
            local_time_phrase(ticket.first_response_at, customer.zone) if ticket.first_response_at else ""
        ),
        "overdue": bool(
            ticket.is_open
            and ticket.first_response_at is None
            and ticket.first_response_due
            and ticket.first_response_due < timezone.now()
        ),
        "assignee_agent": assignee_agent,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "rating_form": forms.get("rating_form") or RatingForm(initial=rating_initial),
        "rating": rating,
        "can_reply": ticket.status != Status.CLOSED,
        "can_solve": ticket.is_open,
        "can_reopen": ticket.status == Status.SOLVED,
        "can_rate": ticket.is_solved,
        "score_labels": SCORE_LABELS,
    }


@never_cache
@require_GET
@customer_required
def request_detail(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = access.get_request_for_customer(customer, reference)
    return render(request, "portal/request_detail.html", _detail_context(request, customer, ticket))


@require_POST
@rate_limited("portal-reply")
@customer_required
def reply(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = access.get_request_for_customer(customer, reference)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            do_customer_reply(
                ticket,
                customer=customer,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your reply is on its way to our team.")
            return redirect("portal-request", reference=ticket.reference)
    if request.FILES:
        form.add_error(
            "attachments", "Please choose your files again: browsers do not keep them after an error."
        )
    ticket.refresh_from_db()
    context = _detail_context(request, customer, ticket, reply_form=form)
    return render(request, "portal/request_detail.html", context, status=400)


@require_POST
@rate_limited("portal-status")
@customer_required
def solve(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = access.get_request_for_customer(customer, reference)
    if ticket.is_open:
        do_change_status(ticket, Status.SOLVED, customer=customer)
        messages.success(request, "Marked as solved. Thank you for letting us know!")
    return redirect("portal-request", reference=ticket.reference)


@require_POST
@rate_limited("portal-status")
@customer_required
def reopen(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = access.get_request_for_customer(customer, reference)
    if ticket.status == Status.SOLVED:
        do_change_status(ticket, Status.OPEN, customer=customer)
        messages.success(request, "Reopened. Tell us below what is still not right.")
    return redirect("portal-request", reference=ticket.reference)


def _save_rating(request: HttpRequest, ticket: Ticket, customer: Customer, form: RatingForm) -> Rating | None:
    """Rate through the action; a POST without a comment field (one-click score) keeps the comment."""
    existing = Rating.objects.filter(ticket=ticket).first()
    score = form.cleaned_data["score"]
    if "comment" in request.POST:
        comment = form.cleaned_data["comment"].strip()
    else:
        comment = existing.comment if existing else ""
    if existing is not None and existing.score == score and existing.comment == comment:
        return existing  # nothing changed (a reloaded page): no new history entry
    try:
        return do_rate_ticket(ticket, customer=customer, score=score, comment=comment)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@require_POST
@rate_limited("portal-rate")
@customer_required
def rate_request(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = access.get_request_for_customer(customer, reference)
    form = RatingForm(request.POST)
    if form.is_valid() and _save_rating(request, ticket, customer, form):
        messages.success(request, "Thank you for your rating! It goes straight to the person who helped you.")
        return redirect(reverse("portal-request", args=[ticket.reference]) + "#rating")
    context = _detail_context(request, customer, ticket, rating_form=form)
    return render(request, "portal/request_detail.html", context, status=400)


# --- rating from the email -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("portal-rate")
def rate(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """One click in the email: GET shows the score chosen and saves it with a script (so that mail
    scanners that fetch every link do not rate); POST saves it, with or without a comment."""
    try:
        ticket, customer = access.get_rating_ticket(token)
    except Http404:
        return render(
            request, "portal/link_invalid.html", {"form": SignInForm(), "kind": "rating"}, status=404
        )
    if score not in SCORE_LABELS:
        raise Http404("No such score.")
    rating = Rating.objects.filter(ticket=ticket).first()
    saved = False
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            rating = _save_rating(request, ticket, customer, form)
            if rating is not None:
                if request.htmx:  # type: ignore[attr-defined]
                    return render(request, "portal/rate.html#thanks", {"rating": rating, "ticket": ticket})
                return HttpResponseRedirect(reverse("portal-rate", args=[token, rating.score]) + "?saved=1")
        status = 400
    else:
        saved = request.GET.get("saved") == "1" and rating is not None
        initial_score = rating.score if saved and rating else score
        form = RatingForm(initial={"score": initial_score, "comment": rating.comment if rating else ""})
        status = 200
    return render(
        request,
        "portal/rate.html",
        {
            "ticket": ticket,
            "customer": customer,
            "form": form,
            "rating": rating,
            "saved": saved,
            "score": score,
            "auto_submit": ticket.is_solved and request.method == "GET" and not saved,
            "action_url": reverse("portal-rate", args=[token, score]),
            "assignee_agent": getattr(ticket.assignee, "agent", None) if ticket.assignee_id else None,
        },
        status=status,
    )


# --- files ---------------------------------------------------------------------------------------


@require_GET
@customer_required
def attachment(request: HttpRequest, customer: Customer, pk: int) -> FileResponse:
    att = access.get_attachment_for_customer(customer, pk)
    content_type = (
        att.content_type if att.content_type in ALLOWED_ATTACHMENT_TYPES else "application/octet-stream"
    )
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer available.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(att.filename), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
