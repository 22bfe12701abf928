"""Loaded with `-p helpwell.pytest_env` so the test environment is set before Django reads its settings."""

import os

os.environ.setdefault("HELPWELL_TESTING", "1")
os.environ.setdefault("HELPWELL_TASK_BACKEND", "immediate")
# Tests deactivate agents and revoke tokens between calls; the cache has its own test.
os.environ.setdefault("HELPWELL_API_TOKEN_CACHE_SECONDS", "0")
# Likewise: a test's database is flushed without signals; helpwell.lib.tests.test_process_cache turns it on.
os.environ.setdefault("HELPWELL_REFERENCE_CACHE_SECONDS", "0")
os.environ.setdefault("HELPWELL_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault(
    "HELPWELL_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)
