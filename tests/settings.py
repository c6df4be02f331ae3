"""Test settings: the product settings, with what tests need to be fast and isolated.

DATABASE_URL / CELERY_BROKER_URL / CELERY_RESULT_BACKEND still come from the environment, so
the same suite runs embedded (SQLite, filesystem broker) and against PostgreSQL and Redis (CI).
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault(
    "CAREERPLAN_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from careerplan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# As in production with Redis (careerplan.settings): sessions read through the cache, written to
# both. Fixed here so query counts are the same whether or not CACHE_URL is set.
SESSION_ENGINE = "accounts.sessions"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_AUTOREFRESH = True
# Each pytest-xdist process its own task queue (`pytest -n 2`; `make test` and CI run one
# process): the Celery worker a test starts (tests/careerplan/test_celery_worker.py,
# tests/plans/test_reminders_integration.py) takes only what that process enqueued, never the
# tasks of a test running beside it on the same broker (one Redis database, or one folder
# embedded).
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = f"tests-{os.environ['PYTEST_XDIST_WORKER']}"
