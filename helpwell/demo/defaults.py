"""What every install needs before its first request: the four priorities and a team to route to.

`helpwell run` calls ensure_defaults() on every start; it only creates what is missing, so a lead's
edits to a priority's wording or target are never overwritten.
"""

from django.db import transaction

from helpwell.people.models import Team
from helpwell.tickets.models import Priority

# key, name, plain-language definition, first-response target in minutes, rank, colour
PRIORITIES = [
    ("urgent", "Urgent", "Something is down or data is at risk, for you or many people, and nothing works.",
     60, 1, "#dc2626"),
    ("high", "High", "A key feature is broken for you and there is no workaround.", 4 * 60, 2, "#ea580c"),
    ("normal", "Normal", "Something is not working as expected, but you can carry on with your work.",
     24 * 60, 3, "#0284c7"),
    ("low", "Low", "A question, a how-to or a suggestion: nothing is broken.", 3 * 24 * 60, 4, "#64748b"),
]  # fmt: skip


@transaction.atomic
def ensure_priorities() -> int:
    """Create the priorities that are missing; returns how many it created."""
    created = 0
    for key, name, definition, minutes, rank, colour in PRIORITIES:
        _, made = Priority.objects.get_or_create(
            key=key,
            defaults={"name": name, "definition": definition, "first_response_minutes": minutes, "rank": rank,
                      "colour": colour},
        )  # fmt: skip
        created += made
    return created


@transaction.atomic
def ensure_defaults() -> dict[str, int]:
    """Create the priorities that are missing, and one team if there is none; returns what it created."""
    created = {"priorities": ensure_priorities(), "teams": 0}
    if not Team.objects.exists():
        Team.objects.create(
            name="Support", slug="support", description="Everything, until you split the work."
        )
        created["teams"] = 1
    return created
