from django import template

from helpwell.feedback.models import SCORE_LABELS

register = template.Library()


@register.filter
def stars(score: int) -> str:
    """4 -> '★★★★☆' (decorative; pages give the score in words too)."""
    score = max(0, min(5, int(score or 0)))
    return "★" * score + "☆" * (5 - score)


@register.filter
def score_label(score: int) -> str:
    return SCORE_LABELS.get(int(score or 0), "")
