"""Talking to django-allauth's headless API the way the clients do."""

import re
from urllib.parse import unquote

from django.core import mail

APP = "/_allauth/app/v1"
BROWSER = "/_allauth/browser/v1"
ME = "/api/v1/me/"
GOOD_PASSWORD = "plum-Harbor-7-lantern"


def post_json(client, url: str, data: dict, **headers):
    return client.post(url, data, format="json", headers=headers)


def app_signup(client, email: str, password: str = GOOD_PASSWORD):
    return post_json(client, f"{APP}/auth/signup", {"email": email, "password": password})


def app_login(client, email: str, password: str = GOOD_PASSWORD, **headers):
    return post_json(client, f"{APP}/auth/login", {"email": email, "password": password}, **headers)


def session_token(response) -> str:
    token = response.json()["meta"].get("session_token")
    assert token, response.json()
    return token


def pending_flows(response) -> set[str]:
    return {flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")}


def error_codes(response) -> dict[str, set[str]]:
    """allauth's errors as {param: {code, ...}} (`None` for errors of the whole form)."""
    codes: dict[str, set[str]] = {}
    for error in response.json()["errors"]:
        codes.setdefault(error.get("param"), set()).add(error["code"])
    return codes


def last_mail_to(address: str) -> mail.EmailMessage:
    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no email to {address} in {[m.to for m in mail.outbox]}"
    return messages[-1]


def link_in(body: str, frontend_url: str, path: str) -> str:
    """The first link in `body` under `frontend_url + path`."""
    match = re.search(re.escape(frontend_url + path) + r"[^\s\"<>]+", body)
    assert match, f"no {frontend_url}{path}... link in:\n{body}"
    return match.group(0)


def key_from_link(link: str) -> str:
    """The key is the last path segment, URL-encoded (the frontend decodes it)."""
    return unquote(link.rstrip("/").rsplit("/", 1)[1])
