"""Signing in agents: the session's user comes with their agent profile in one query."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AgentBackend(ModelBackend):
    """Django's own backend, except that the user a session names is read together with their agent
    profile: every agent page needs both, and that was two queries per request."""

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("agent")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
