"""Benchmark-only settings: the product's settings with the baseline views' URLs on top.

Never used by the product; `make bench` serves the API with
DJANGO_SETTINGS_MODULE=bench.settings so that the baselines run in the same gunicorn, behind
the same middleware, as the scenarios they are compared with.
"""

from careerplan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
