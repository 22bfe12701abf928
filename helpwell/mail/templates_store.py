"""Mail templates: files in the repo (mail/<name>/{subject.txt,body.txt,body.html}), each part
overridable by a team lead in the UI (MailTemplateOverride). The outbox renders through here."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import MailTemplateOverride

PARTS = [p.value for p in MailTemplateOverride.Part]
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "mail"
DESCRIPTIONS = {
    "acknowledgement": "To the customer, at once, when a request comes in: the reference and when to expect a reply.",
    "reply": "To the customer (and anyone CC'd) with an agent's public reply.",
    "solved": "To the customer when a request is solved, asking for a rating.",
    "assigned": "To an agent when a ticket is assigned to them.",
    "customer_replied": "To the assigned agent when the customer writes again.",
    "attachment_refused": "To a sender whose mail had attachments over the size limit.",
}


def title_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def template_names() -> list[str]:
    return sorted(p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir() and (p / "subject.txt").exists())


def file_source(name: str, part: str) -> str:
    return (TEMPLATE_DIR / name / part).read_text(encoding="utf-8")


def _engine() -> Engine:
    return Engine.get_default()


def render_part(
    name: str, part: str, context: dict[str, Any], overrides: dict[str, str] | None = None
) -> str:
    source = (overrides or {}).get(part)
    if source is None:
        return render_to_string(f"mail/{name}/{part}", context)
    return Template(source, engine=_engine()).render(Context(context, autoescape=part == "body.html"))


def overrides_for(name: str) -> dict[str, str]:
    return dict(MailTemplateOverride.objects.filter(template=name).values_list("part", "content"))


def render_mail(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of mail/<name>, with a lead's overrides where there are any."""
    overrides = overrides_for(name)
    subject = render_part(name, "subject.txt", context, overrides).strip().replace("\n", " ")
    text = render_part(name, "body.txt", context, overrides).strip() + "\n"
    html = render_part(name, "body.html", context, overrides)
    return subject, text, html


def check_source(source: str) -> None:
    try:
        Template(source, engine=_engine())
    except TemplateSyntaxError as exc:
        raise ValidationError(f"The template has an error: {exc}") from exc


@transaction.atomic
def do_save_mail_template(name: str, parts: dict[str, str], *, actor: Any) -> list[str]:
    """Save a lead's wording for the parts that differ from the files (a part equal to the file is
    the default again). Audited; returns the parts that changed."""
    from helpwell.system.audit import audit

    if name not in template_names():
        raise ValidationError(f"There is no mail template called {name!r}.")
    for source in parts.values():
        check_source(source)
    changed = []
    current = overrides_for(name)
    for part in PARTS:
        if part not in parts:
            continue
        new = parts[part].replace("\r\n", "\n")
        is_default = new.strip() == file_source(name, part).strip()
        old = current.get(part)
        if is_default and old is not None:
            MailTemplateOverride.objects.filter(template=name, part=part).delete()
            changed.append(part)
        elif not is_default and old != new:
            MailTemplateOverride.objects.update_or_create(
                template=name, part=part,
                defaults={"content": new, "updated_by": actor if getattr(actor, "pk", None) else None,
                          "updated_at": timezone.now()},
            )  # fmt: skip
            changed.append(part)
    if changed:
        row = MailTemplateOverride.objects.filter(template=name).first()
        audit(actor, "mail.template_saved", row or _placeholder(name), {"template": name, "parts": changed})
    return changed


def _placeholder(name: str) -> MailTemplateOverride:
    # The audit log names an object; a template back to its defaults has no row left, so name the file.
    return MailTemplateOverride(pk=0, template=name, part="")


def file_exists(name: str) -> bool:
    try:
        get_template(f"mail/{name}/subject.txt")
    except Exception:  # noqa: BLE001 - any loader error means no such template
        return False
    return True
