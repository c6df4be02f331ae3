import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "careerplan.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('loaded')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_without_secret_key_fails_fast_with_a_clear_message():
    # when: DEBUG is off (the default) and no secret is configured
    result = _import_settings()
    # then
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_mode_with_secret_key_loads():
    result = _import_settings(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_debug_mode_runs_without_secret_key():
    result = _import_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


def _setting(name: str, **env_overrides: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "careerplan.settings", "DJANGO_DEBUG": "true"})
    env.update(env_overrides)
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sessions_are_read_through_the_cache_only_when_every_process_shares_it():
    # the per-process default cache: a sign-out in one worker must reach the others
    assert _setting("SESSION_ENGINE") == "django.contrib.sessions.backends.db"
    # Redis, shared by every worker: read through it, written to both
    shared = _setting("SESSION_ENGINE", CACHE_URL="redis://127.0.0.1:6379/2")
    assert shared == "accounts.sessions"
