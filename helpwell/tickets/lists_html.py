"""The workspace's long lists, rendered in Python: the queue's rows, the ticket's thread and history,
the customer's other requests.

Every visit to the queue shows up to 25 rows of nine cells. Through the template language a row took
about half a millisecond (some forty variable lookups, fifteen conditions, two URL reversals, a
photo URL and three date formats), about 12 ms of a page: most of its time. Here a row takes a few
hundredths of that; a message of the thread (about 1 ms through the template) and a history entry
(0.4 ms) likewise. The markup is what the templates produced; every value is escaped (a message's
HTML was sanitised when it was stored), and the dates are in the current time zone and language, as
the templates' `date` and `naturaltime` filters gave.
"""

from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from helpwell.lib.timefmt import quick_date_format
from helpwell.mail.templatetags.mail_tags import original_mail_context
from helpwell.people.templatetags.people_tags import photo_version

from .models import Message, Ticket
from .queue import Due

# A due state without a clock of its own shows a dash, with the words for screen readers.
QUIET_DUE = {"met", "late", "none"}
_PLACEHOLDER = "HW-REFERENCE"  # stands for the reference in the reversed ticket URL
DUE_SIGNS = {"overdue": '<span aria-hidden="true">⚠ </span>', "soon": '<span aria-hidden="true">◷ </span>'}


def queue_rows(tickets: list[Ticket], *, recent_since: datetime) -> SafeString:
    """The `<tr>` of each ticket (each with `due` set by the view). Activity after `recent_since`
    shows as "5 minutes ago", older as a date."""
    detail_url = reverse("tickets-detail", args=[_PLACEHOLDER])  # once a page, not twice a row
    photos: dict[tuple[int, str], str] = {}  # the same few agents fill a page
    return mark_safe("\n".join(_row(t, detail_url, photos, recent_since) for t in tickets))  # noqa: S308


def _row(t: Ticket, detail_url: str, photos: dict[tuple[int, str], str], recent_since: datetime) -> str:
    reference = escape(t.reference)
    url = detail_url.replace(_PLACEHOLDER, reference)
    tags = [tag.name for tag in t.tags.all()]
    tag_html = (
        '<span class="ws-tags">'
        + "".join(f'<span class="ws-tag">{escape(n)}</span>' for n in tags)
        + "</span>"
        if tags
        else ""
    )
    customer = t.customer
    organisation = customer.organisation
    org_html = f'<span class="ws-org">{escape(organisation.name)}</span>' if organisation else ""
    priority = t.priority
    return (
        f'<tr data-row data-href="{url}">'
        f'<td class="col-check"><input type="checkbox" name="ticket" value="{t.pk}"'
        f' aria-label="Select {reference}" data-row-check></td>'
        f'<td class="col-ref"><span class="reference">{reference}</span></td>'
        # The line breaks keep the space the template put between the subject and its tags.
        f'<td class="col-subject">\n<a class="subject" href="{url}" data-row-link>{escape(t.subject)}</a>'
        f"\n{tag_html}\n</td>"
        f'<td class="col-customer"><span class="ws-cust">{escape(customer.name)}</span>{org_html}</td>'
        f'<td><span class="badge badge-{escape(t.status)}">{escape(t.get_status_display())}</span></td>'
        f'<td><span class="badge badge-prio-{escape(priority.key)}"><span class="prio-dot" aria-hidden="true">'
        f"</span>{escape(priority.name)}</span></td>"
        f'<td class="col-assignee">{_assignee(t, photos)}</td>'
        f'<td class="col-due">{_due(t.due)}</td>'  # type: ignore[attr-defined]
        f'<td class="col-updated">{_updated(t.updated_at, recent_since)}</td>'
        "</tr>"
    )


def other_ticket_items(tickets: list[Ticket]) -> SafeString:
    """The `<li>` of each of the customer's other requests on the ticket page's customer card."""
    detail_url = reverse("tickets-detail", args=[_PLACEHOLDER])
    return mark_safe(  # noqa: S308 - every value escaped
        "\n".join(
            f'<li><a href="{detail_url.replace(_PLACEHOLDER, escape(t.reference))}">{escape(t.subject)}</a>\n'
            f'<span class="ws-mini-meta"><span class="badge badge-{escape(t.status)}">'
            f"{escape(t.get_status_display())}</span>"
            f' <span class="muted">{escape(quick_date_format(localtime(t.created_at), "j M Y"))}</span></span></li>'
            for t in tickets
        )
    )


def _assignee(t: Ticket, photos: dict[tuple[int, str], str]) -> str:
    user = t.assignee
    if user is None:
        return '<span class="muted">Unassigned</span>'
    agent = getattr(user, "agent", None)
    if agent is None:
        return f'<span class="ws-person">{escape(user.get_username())}</span>'
    return (
        f'<span class="ws-person"><img class="avatar avatar-sm" src="{_photo(agent, photos)}" alt="" loading="lazy">'
        f"{escape(agent.display_name)}</span>"
    )


def _due(due: Due) -> str:
    if due.state in QUIET_DUE:
        return (
            f'<span class="due due-none" title="{escape(due.sentence)}" aria-hidden="true">—</span>'
            f'<span class="sr-only">{escape(due.text)}</span>'
        )
    title = f' title="Due {escape(quick_date_format(localtime(due.at), "D j M, H:i"))}"' if due.at else ""
    sign = DUE_SIGNS.get(due.state, "")
    return f'<span class="due due-{escape(due.state)}"{title}>{sign}{escape(due.text)}</span>'


def _updated(at: datetime, recent_since: datetime) -> str:
    shown = naturaltime(at) if at > recent_since else quick_date_format(localtime(at), "D j M")
    return _time(at, shown)


def _time(at: datetime, shown: str, css: str = "") -> str:
    """`<time>` with the moment for machines, the full date on hover and `shown` in the text."""
    local = localtime(at)
    attrs = f' class="{css}"' if css else ""
    return (
        f'<time{attrs} datetime="{escape(local.isoformat())}"'
        f' title="{escape(quick_date_format(local, "D j M Y, H:i"))}">{escape(shown)}</time>'
    )


def history_items(events: list[dict[str, Any]]) -> SafeString:
    """The `<li>` of each entry of a ticket's history, as tickets.views builds them (newest first)."""
    return mark_safe("\n".join(_event(e) for e in events))  # noqa: S308 - every value escaped


def _event(e: dict[str, Any]) -> str:
    via = f' <span class="muted">via {escape(e["channel"])}</span>' if e["channel"] else ""
    if e["is_change"]:
        change = (
            f'<div class="ws-change"><span class="ws-old">{escape(e["old"])}</span>'
            f' <span aria-label="changed to">→</span> <span class="ws-new">{escape(e["new"])}</span></div>'
        )
    elif e["new"] and e["kind"] != "created":
        change = f'<div class="ws-change"><span class="ws-new">{escape(e["new"])}</span></div>'
    else:
        change = ""
    return (
        f'<li class="ws-event ws-event-{escape(e["kind"])}">\n'
        f"<div><strong>{escape(e['actor'])}</strong> {escape(e['phrase'])}{via}</div>\n"
        f"{change}\n{_time(e['at'], naturaltime(e['at']), 'muted')}\n</li>"
    )


LOCK_ICON = (
    '<svg aria-hidden="true" width="11" height="11" viewBox="0 0 24 24" fill="none" stroke="currentColor"'
    ' stroke-width="3"><rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/></svg>'
)
CLIP_ICON = (
    '<svg aria-hidden="true" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor"'
    ' stroke-width="2"><path d="m21 11-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15'
    ' 7"/></svg>'
)


def thread_articles(thread: list[Message], *, ticket: Ticket, readings: dict[int, Any] | None) -> SafeString:
    """The `<article>` of each message of a ticket's thread, for agents: author, photo, time, the
    guideline shield around a held-back message, the mail as received, attachments."""
    photos: dict[tuple[int, str], str] = {}
    inbound_cache: dict[int, Any] = {}
    return mark_safe(  # noqa: S308 - every value escaped; body_html was sanitised when stored
        "\n".join(_article(m, ticket, (readings or {}).get(m.pk), photos, inbound_cache) for m in thread)
    )


def _article(
    m: Message,
    ticket: Ticket,
    reading: Any,
    photos: dict[tuple[int, str], str],
    inbound_cache: dict[int, Any],
) -> str:
    kind = "msg-internal" if m.is_internal else "msg-customer" if m.from_customer else "msg-agent"
    user = m.author_user
    agent = getattr(user, "agent", None) if user is not None else None
    if user is not None:
        src = _photo(agent, photos) if agent is not None else ""
        picture = f'<img class="avatar" src="{src}" alt="">'
        name = (agent.display_name if agent is not None else "") or user.get_username()
        role = (
            f'<span class="role">{escape(agent.job_title)}</span>'
            if agent is not None and agent.job_title
            else ""
        )
        who = f'<span class="who">{escape(name)}</span>{role}'
    else:
        initial = ((m.author_customer.name if m.author_customer else "") or "H")[:1].upper()
        picture = f'<span class="ws-initial" aria-hidden="true">{escape(initial)}</span>'
        if m.author_customer_id:
            customer_name = (m.author_customer.name if m.author_customer else "") or "Customer"
            who = f'<span class="who">{escape(customer_name)}</span><span class="role">Customer</span>'
        else:
            who = '<span class="who">Helpwell</span><span class="role">Automatic</span>'
    internal = f'<span class="ws-internal-label">{LOCK_ICON}Internal note</span>' if m.is_internal else ""
    via = f"via {escape(m.get_channel_display())} · " if m.channel != "web" else ""
    when = _time(m.created_at, quick_date_format(localtime(m.created_at), "j M, H:i"))
    text = mark_safe(m.body_html) if m.body_html else linebreaks(m.body_text, autoescape=True)  # noqa: S308
    body = f'<div class="msg-text">{text}</div>'
    if reading is not None and reading.shielded:
        body = _shielded(reading, ticket) + body + "</details>"
    original = _original_mail(m, inbound_cache) if m.channel == "email" else ""
    attachments = list(m.attachments.all())
    files = (
        '<ul class="attachments ws-attachments" aria-label="Attachments">'
        + "".join(
            f'<li><a class="ws-file" href="{escape(reverse("tickets-attachment", args=[att.pk]))}" download>'
            f'{CLIP_ICON}{escape(att.filename)} <span class="muted">{escape(filesizeformat(att.size))}</span></a></li>'
            for att in attachments
        )
        + "</ul>"
        if attachments
        else ""
    )
    return (
        f'<article id="msg-{m.pk}" class="msg {kind}">\n{picture}\n<div class="msg-body">\n'
        f'<div class="msg-meta">\n{who}\n{internal}\n<span class="spacer"></span>\n'
        f'<span class="role small">{via}{when}</span>\n</div>\n'
        f"{body}\n{original}\n{files}\n</div>\n</article>"
    )


def _photo(agent: Any, photos: dict[tuple[int, str], str]) -> str:
    """The `photo_url` filter's URL, escaped, reversed once per agent and page."""
    key = (agent.pk, photo_version(agent))
    if key not in photos:
        photos[key] = escape(f"{reverse('people-photo', args=[agent.pk])}?v={key[1]}")
    return photos[key]


def _shielded(reading: Any, ticket: Ticket) -> str:
    opened = escape(reverse("guidelines-opened", args=[ticket.reference, reading.pk]))
    label = (
        f"Held back: this message reads as abusive ({escape(reading.category_label)})."
        if reading.abusive
        else "Held back: this customer is on review."
    )
    return (
        f'<details class="gl-shielded" hx-post="{opened}" hx-trigger="toggle once" hx-swap="none"'
        f' data-gl-shielded>\n<summary><span class="gl-shield-label">{label}</span>'
        ' <span class="gl-shield-open">Show the message</span></summary>'
    )


def _original_mail(m: Message, cache: dict[int, Any]) -> str:
    context = original_mail_context(cache, m)
    return render_to_string("mail/_original_mail.html", context) if context["inbound"] else ""
