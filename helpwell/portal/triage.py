"""From two plain-language answers to a priority.

Customers are not asked "what priority is this?" (everything would be urgent); they are asked who
is affected (impact) and what it stops them doing (urgency), and the priority follows from a
fixed table, the impact/urgency matrix of ITIL reduced to our four priorities:

                          It can wait   It slows me down   I cannot work
    Just me               low           normal             high
    Several people        low           normal             high
    Our whole organisation normal        high               urgent

Read along a row: the more it stops work, the higher; down a column: the more people, the
higher. Only "the whole organisation cannot work" is urgent, which matches the urgent
definition ("service down ... for many people; nothing works"). One person who cannot work at
all is high ("a key feature is broken for you and there is no workaround"). Agents can always
change the priority afterwards; this is the starting point, not a verdict.
"""

from helpwell.tickets.models import Priority


class Impact:
    ME = "me"
    SEVERAL = "several"
    ORGANISATION = "organisation"
    CHOICES = [
        (ME, "Just me"),
        (SEVERAL, "Several people"),
        (ORGANISATION, "Our whole organisation"),
    ]


class Urgency:
    CAN_WAIT = "can_wait"
    SLOWS = "slows"
    BLOCKED = "blocked"
    CHOICES = [
        (CAN_WAIT, "It can wait"),
        (SLOWS, "It slows me down"),
        (BLOCKED, "I cannot work"),
    ]


MATRIX: dict[tuple[str, str], str] = {
    (Impact.ME, Urgency.CAN_WAIT): "low",
    (Impact.ME, Urgency.SLOWS): "normal",
    (Impact.ME, Urgency.BLOCKED): "high",
    (Impact.SEVERAL, Urgency.CAN_WAIT): "low",
    (Impact.SEVERAL, Urgency.SLOWS): "normal",
    (Impact.SEVERAL, Urgency.BLOCKED): "high",
    (Impact.ORGANISATION, Urgency.CAN_WAIT): "normal",
    (Impact.ORGANISATION, Urgency.SLOWS): "high",
    (Impact.ORGANISATION, Urgency.BLOCKED): "urgent",
}


def priority_key_for(impact: str, urgency: str) -> str:
    """The priority key for an impact and an urgency; "normal" when either answer is unknown."""
    return MATRIX.get((impact, urgency), "normal")


def priority_for(impact: str, urgency: str) -> Priority | None:
    """The Priority row for the answers, or None to let the ticket take the default priority.

    Priorities are data a lead edits; if one of our four keys has been removed we fall back to
    the default rather than refuse the customer's request.
    """
    return Priority.objects.filter(key=priority_key_for(impact, urgency)).first()
