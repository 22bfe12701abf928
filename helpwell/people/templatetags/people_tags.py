"""Small presentation helpers for people: `{% load people_tags %}`."""

import hashlib
import zoneinfo
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

from helpwell.people.models import Agent

register = template.Library()


def photo_version(agent: Agent) -> str:
    """Changes whenever the picture would: a new upload gets a new random file name."""
    source = (agent.photo.name or "") if agent.photo else f"{agent.initials}|{agent.avatar_colour}"
    return hashlib.sha256(source.encode()).hexdigest()[:12]


@register.filter
def photo_url(agent: Agent | None) -> str:
    """The agent's picture URL with a version, so browsers may cache it and still see a new upload at once."""
    if agent is None:
        return ""
    return f"{reverse('people-photo', args=[agent.pk])}?v={photo_version(agent)}"


@register.filter
def split_list(value: str) -> list[str]:
    """'English, Deutsch' -> ['English', 'Deutsch'] for pills."""
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


@register.filter
def local_clock(agent: Agent) -> str:
    """The time where the agent is, e.g. '14:05'. A string, so templates do not convert it back to UTC."""
    try:
        now: datetime = timezone.now().astimezone(zoneinfo.ZoneInfo(agent.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return f"{now:%H:%M}"


@register.filter
def place(time_zone: str) -> str:
    """'America/New_York' -> 'New York'."""
    return (time_zone or "").rsplit("/", 1)[-1].replace("_", " ")
