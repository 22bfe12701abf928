import os

os.environ.setdefault("HELPWELL_TESTING", "1")
os.environ.setdefault("HELPWELL_TASK_BACKEND", "immediate")
os.environ.setdefault("HELPWELL_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
