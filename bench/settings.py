"""Settings for the benchmark server: Helpwell's own, plus a bare view to compare against.

The database comes from DATABASE_URL as usual; bench/run.py points it at the seeded benchmark
database, never at ./var or the development database.
"""

from helpwell.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# Quiet: a request log line per request would cost more than the bare view itself.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
