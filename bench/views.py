"""Baselines for bench/api.py: what plain Django does with no work, and with one query."""

import json
import os
from functools import cache
from pathlib import Path

from django.http import Http404, JsonResponse

from accounts.models import User

PAYLOAD_DIR = Path(os.environ.get("BENCH_PAYLOAD_DIR", "var/bench/payloads"))


@cache
def _payload(name: str):
    path = PAYLOAD_DIR / f"{name}.json"
    if not path.is_file():
        raise Http404(name)
    return json.loads(path.read_bytes())


def bare_payload(request, name: str) -> JsonResponse:
    """The ceiling for Django: a precomputed payload (the response a scenario gave, loaded
    once per process) serialized by JsonResponse, without a query."""
    return JsonResponse(_payload(name), safe=False)


def one_pk_query(request) -> JsonResponse:
    """The ceiling for one database round trip: a primary-key lookup, as JSON."""
    row = User.objects.filter(pk=int(request.GET.get("id", "1"))).values("id", "email").first()
    return JsonResponse(row or {})
