from typing import Any

from django import template

register = template.Library()


@register.filter
def get_check_name(checks: dict[str, Any], key: str) -> str:
    check = checks.get(key)
    return check.name if check else key


@register.filter
def reading_for(readings: dict[int, Any] | None, message_id: int) -> Any:
    return (readings or {}).get(message_id)
