"""Loaded with `-p helpwell.pytest_env` so the test environment is set before Django reads its settings."""

import os

os.environ.setdefault("HELPWELL_TESTING", "1")
os.environ.setdefault("HELPWELL_TASK_BACKEND", "immediate")
os.environ.setdefault("HELPWELL_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault(
    "HELPWELL_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)
