"""List and detail endpoints cost the same number of queries for 3 roles as for 30."""

import pytest

from roles.cache import catalogue_version
from tests.roles.factories import build_role_graph
from tests.roles.helpers import api_url

pytestmark = pytest.mark.django_db

# (endpoint, key or None, query, expected queries)
ENDPOINTS = [
    ("role-list", None, {"page_size": 100}, 3),  # count, roles, certifications
    ("role-list", None, {"page_size": 100, "search": "Anatomy", "family": "coding"}, 3),
    ("role-detail", "FIRST", {}, 11),  # the role + one query per prefetched relation
    ("role-detail", "MIDDLE", {}, 11),
    ("role-paths", "FIRST", {}, 2),  # the role, then the whole advancement map at once
    ("role-compare", None, {"roles": "FIRST,MIDDLE,LAST"}, 11),
    ("certification-list", None, {"page_size": 100}, 7),
    ("certification-detail", "FIRST_CERT", {}, 6),
    ("training-path-list", None, {"page_size": 100}, 4),
    ("training-path-detail", "FIRST_PATH", {}, 3),
    ("salary-band-list", None, {"page_size": 100}, 2),
    ("salary-band-list", None, {"page_size": 100, "role": "FIRST", "level": "entry"}, 3),
    ("tool-list", None, {"page_size": 100}, 2),
    ("source-list", None, {"page_size": 100}, 2),
]


def request_for(roles, name: str, key: str | None, query: dict) -> tuple[str, dict]:
    """The URL and query for this data set (placeholders name its first/middle/last rows)."""
    first, middle, last = roles[0], roles[len(roles) // 2], roles[-1]
    names = {
        "FIRST_CERT": first.certifications.get().code,
        "FIRST_PATH": first.training_paths.get().slug,
        "FIRST": first.slug,
        "MIDDLE": middle.slug,
        "LAST": last.slug,
    }

    def resolve(value):
        if not isinstance(value, str):
            return value
        for placeholder, real in names.items():
            value = value.replace(placeholder, real)
        return value

    return api_url(name, resolve(key)), {k: resolve(v) for k, v in query.items()}


@pytest.mark.parametrize(("name", "key", "query", "expected"), ENDPOINTS)
def test_query_count_does_not_grow_with_the_catalogue(
    api_client, django_assert_num_queries, name, key, query, expected
):
    # given: a small catalogue (and the catalogue version cached, as in steady state: reading
    # it costs one query per process per VERSION_TTL, see test_caching)
    small = build_role_graph(3)
    url, params = request_for(small, name, key, query)
    catalogue_version()
    with django_assert_num_queries(expected):
        assert api_client.get(url, params).status_code == 200

    # when: ten times as many roles, each with bands, premiums, paths, certifications, steps
    large = [*small, *build_role_graph(27)]
    url, params = request_for(large, name, key, query)
    catalogue_version()

    # then: the same number of queries
    with django_assert_num_queries(expected):
        response = api_client.get(url, params)
    assert response.status_code == 200
    if name.endswith("-list") and set(query) == {"page_size"}:
        assert response.json()["count"] >= 30  # the large data set really is on the page
