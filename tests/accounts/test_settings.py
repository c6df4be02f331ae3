"""Account settings come from the environment and fail fast when wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.ACCOUNT_EMAIL_VERIFICATION, s.ALLAUTH_TRUSTED_PROXY_COUNT, "
    "s.REST_FRAMEWORK['NUM_PROXIES'], s.HEADLESS_FRONTEND_URLS['account_confirm_email'])"
)


def load_settings(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ACCOUNT_"))}
    env.update({"DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "careerplan.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_defaults():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "optional",
        "0",
        "0",
        "http://localhost:3000/account/verify-email/{key}",
    ]


def test_from_the_environment():
    result = load_settings(
        ACCOUNT_EMAIL_VERIFICATION="mandatory",
        TRUSTED_PROXY_COUNT="1",
        FRONTEND_URL="https://app.example.org/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "mandatory",
        "1",
        "1",
        "https://app.example.org/account/verify-email/{key}",
    ]


@pytest.mark.parametrize("value", ["Mandatory", "required", ""])
def test_an_unknown_verification_mode_fails_fast(value):
    result = load_settings(ACCOUNT_EMAIL_VERIFICATION=value)
    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory" in result.stderr
