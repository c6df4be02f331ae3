"""Production security settings and the headers they put on responses."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_SECRET = "prod-like-secret-" + "k3Y9-x7Qw-" * 6

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSP_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "careerplan.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    # given: the defaults (DEBUG off) with a long random secret, as CI runs it
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=LONG_SECRET,
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.CORS_ALLOWED_ORIGINS, s.CORS_ALLOW_ALL_ORIGINS, "
        "s.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    )
    result = _manage("shell", "--no-imports", "-c", code, DJANGO_SECRET_KEY=LONG_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",  # DEBUG off by default
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "[]",  # no cross-origin caller unless configured
        "False",
        "1048576",
    ]


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/docs/", "/api/v1/redoc/"])
def test_html_pages_have_a_same_origin_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline or third-party script
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # and the page indeed has no inline script that the policy would block
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), url


def test_swagger_ui_loads_its_start_up_script_from_our_origin(client):
    html = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    script = client.get(sources[-1].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_api_responses_forbid_everything(client):
    response = client.get("/api/v1/roles/")
    assert _directives(response["Content-Security-Policy"]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    problem = client.get("/api/v1/plans/")
    assert problem["Content-Type"] == "application/problem+json"
    assert "default-src 'none'" in problem["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/api/v1/roles/", "/admin/login/", "/healthz"])
def test_common_security_headers(client, url):
    response = client.get(url, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_secure_and_http_only(client, admin_user):
    # the test settings keep the production cookie flags
    client.post(
        "/admin/login/", {"username": admin_user.email, "password": "password"}, secure=True
    )
    cookie = client.cookies.get("sessionid")
    assert cookie is not None
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_cors_answers_only_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = client.get("/api/v1/roles/", headers={"Origin": "https://app.example.com"})
    other = client.get("/api/v1/roles/", headers={"Origin": "https://evil.example.net"})
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        "/api/v1/plans/",
        headers={
            "Origin": "https://evil.example.net",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert "Access-Control-Allow-Origin" not in preflight


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/docs/", "/api/v1/redoc/"])
def test_html_pages_load_nothing_from_other_origins(client, url):
    # the browser check (bench/browser) found Redoc's page linking Google Fonts, which the
    # policy blocks: the page now links only our own files
    html = client.get(url).content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url
