"""Agent photos, the agent's own profile, and the public "meet the people who help you" page."""

import logging
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_http_methods, require_safe

from helpwell.lib.images import initials_avatar
from helpwell.system.models import SiteSettings

from .access import agent_required, get_agent_for_photo, home_teams, public_agents, teams_for_public_page
from .actions import do_set_photo, do_update_profile
from .forms import ProfileForm
from .models import Agent
from .templatetags.people_tags import photo_version

log = logging.getLogger(__name__)

# Photo URLs in our pages carry ?v=<version>, so a long cache is safe for them; a bare URL revalidates
# cheaply through the ETag once the hour is up.
PHOTO_MAX_AGE = 3600


def _image_response(request: HttpRequest, data: bytes, content_type: str, etag: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["ETag"] = etag
    response["Content-Length"] = str(len(data))
    return response


@require_safe
def agent_photo(request: HttpRequest, agent_id: int) -> HttpResponse:
    """The agent's uploaded photo (always a JPEG we encoded) or a generated initials PNG."""
    agent = get_agent_for_photo(agent_id)
    etag = f'"{photo_version(agent)}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        data, content_type = _photo_bytes(agent)
        response = _image_response(request, data, content_type, etag)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    return response


def _photo_bytes(agent: Agent) -> tuple[bytes, str]:
    if agent.photo:
        try:
            with agent.photo.open("rb") as f:
                return f.read(), "image/jpeg"
        except OSError:
            log.warning("photo file %s of agent %s is missing; serving initials", agent.photo.name, agent.pk)
    key = f"people:initials:{agent.initials}:{agent.avatar_colour}"
    data = cache.get(key)
    if data is None:
        data = initials_avatar(agent.initials, agent.avatar_colour)
        cache.set(key, data, 24 * 3600)
    return data, "image/png"


@agent_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    agent: Agent = request.agent_profile  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, agent=agent)
        if form.is_valid():
            try:
                changes = do_update_profile(agent, actor=request.user, **form.profile_values())
                if form.cleaned_data["remove_photo"]:
                    do_set_photo(agent, None, actor=request.user)
                    changes["photo"] = []
                elif form.photo_data is not None:
                    do_set_photo(agent, form.photo_data, actor=request.user)
                    changes["photo"] = []
            except ValidationError as exc:
                agent.refresh_from_db()  # the action rolled back; show what is really stored
                form.add_error(None, exc)
            else:
                if changes:
                    messages.success(
                        request, "Your profile is saved. This is how customers and colleagues see you."
                    )
                else:
                    messages.info(request, "Nothing to save: your profile was already like this.")
                return redirect("people-profile")
    else:
        form = ProfileForm(agent=agent)
    return render(request, "people/profile.html", {"form": form, "agent": agent, "nav": "profile"})


@require_safe
def team_page(request: HttpRequest) -> HttpResponse:
    site = SiteSettings.load()
    request._site_settings = site  # type: ignore[attr-defined]  # reused by the context processor
    if not site.team_page_enabled:
        raise Http404("The team page is switched off.")
    # Each person gets one card, in their home team (the first they joined); other teams mention them.
    teams = list(teams_for_public_page())
    visible: dict[int, list[Agent]] = {
        t.pk: getattr(t, "visible_agents", []) for t in teams
    }  # Prefetch to_attr
    home = home_teams([a.pk for agents in visible.values() for a in agents])
    seen: set[int] = set()
    groups: list[dict[str, Any]] = []
    for team in teams:
        cards = [a for a in visible[team.pk] if home.get(a.pk) == team.pk]
        also = [a for a in visible[team.pk] if home.get(a.pk) != team.pk]
        groups.append({"team": team, "agents": cards, "also": also})
        seen.update(a.pk for a in cards)
    unteamed = list(public_agents().filter(teams=None).order_by("display_name"))
    if unteamed:
        groups.append({"team": None, "agents": unteamed, "also": []})
    count = len(seen) + len(unteamed)
    return render(request, "people/team.html", {"groups": groups, "count": count})
