"""Catalogue responses carry an ETag; If-None-Match answers 304 until a catalogue row changes."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F

from careerplan.api import caching
from careerplan.api.caching import LocalBodies
from roles import cache as catalogue_cache
from roles.cache import LOCAL_TTL, VERSION_KEY, VERSION_TTL, catalogue_version
from roles.models import CatalogueRevision
from tests.roles.factories import CertificationFactory, RoleFactory, SalaryBandFactory
from tests.roles.helpers import api_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def coder(db):
    return RoleFactory(slug="medical-coder", title="Medical Coder")


def test_response_carries_etag_and_cache_control(api_client, coder):
    response = api_client.get(api_url("role-detail", "medical-coder"))

    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["ETag"].endswith('"')
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert "Accept" in response["Vary"]


def test_matching_if_none_match_is_a_304_without_a_body_or_a_query(
    api_client, coder, django_assert_num_queries
):
    # given
    etag = api_client.get(api_url("role-detail", "medical-coder"))["ETag"]

    # when
    with django_assert_num_queries(0):
        response = api_client.get(api_url("role-detail", "medical-coder"), HTTP_IF_NONE_MATCH=etag)

    # then
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "max-age=300" in response["Cache-Control"]


def test_a_list_of_etags_and_a_weak_etag_match_too(api_client, coder):
    etag = api_client.get(api_url("role-list"))["ETag"]

    assert (
        api_client.get(api_url("role-list"), HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code
        == 304
    )
    assert api_client.get(api_url("role-list"), HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_a_stale_etag_gets_the_full_response(api_client, coder):
    response = api_client.get(api_url("role-detail", "medical-coder"), HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200
    assert response.json()["slug"] == "medical-coder"


def test_different_urls_and_queries_have_different_etags(api_client, coder):
    RoleFactory(slug="medical-biller")
    etags = {
        api_client.get(url)["ETag"]
        for url in (
            api_url("role-detail", "medical-coder"),
            api_url("role-detail", "medical-biller"),
            api_url("role-list"),
            api_url("role-list") + "?family=coding",
        )
    }
    assert len(etags) == 4


def test_saving_a_catalogue_row_changes_the_version_and_the_etag(api_client, coder):
    # given
    url = api_url("role-detail", "medical-coder")
    etag = api_client.get(url)["ETag"]
    version = catalogue_version()

    # when: an editor changes a figure
    SalaryBandFactory(role=coder)

    # then
    assert catalogue_version() != version
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(response.json()["salary_bands"]) == 1


def test_deleting_and_m2m_changes_bump_the_version(coder):
    certification = CertificationFactory()

    before = catalogue_version()
    certification.roles.add(coder)
    after_m2m = catalogue_version()
    certification.delete()
    after_delete = catalogue_version()

    assert len({before, after_m2m, after_delete}) == 3


def test_loading_the_fixtures_bumps_the_version():
    before = catalogue_version()
    call_command("load_catalogue", verbosity=0)
    assert catalogue_version() != before


def test_a_version_cached_before_the_commit_is_forgotten_at_commit(
    coder, django_capture_on_commit_callbacks
):
    # given: a concurrent reader caches the version while the edit is not yet committed
    with django_capture_on_commit_callbacks(execute=True):
        coder.title = "Coder"
        coder.save()
        cache.set(VERSION_KEY, "read-before-commit", VERSION_TTL)

    # then: the commit drops it, and the next reader gets the committed revision
    assert catalogue_version() == str(CatalogueRevision.objects.get().number)


def test_the_database_is_the_truth_when_the_cache_is_cold(coder):
    # given: another process bumped the revision; this process's cache knows nothing
    CatalogueRevision.objects.update(number=F("number") + 41)
    cache.clear()

    # then
    assert catalogue_version() == str(CatalogueRevision.objects.get().number)


def test_a_cold_version_costs_one_query_and_a_warm_one_none(django_assert_num_queries, coder):
    cache.clear()
    with django_assert_num_queries(1):
        catalogue_version()
    with django_assert_num_queries(0):
        catalogue_version()


def test_another_process_edit_is_seen_once_this_process_copy_is_a_second_old(monkeypatch, coder):
    # given: this process read the version at t=100
    clock = {"now": 100.0}
    monkeypatch.setattr(catalogue_cache.time, "monotonic", lambda: clock["now"])
    before = catalogue_version()
    # when: another process edits the catalogue (its bump reaches the database and the cache)
    CatalogueRevision.objects.update(number=F("number") + 1)
    cache.delete(VERSION_KEY)
    # then: this process keeps its copy for at most LOCAL_TTL, then reads the new one
    clock["now"] += LOCAL_TTL / 2
    assert catalogue_version() == before
    clock["now"] += LOCAL_TTL
    assert catalogue_version() == str(CatalogueRevision.objects.get().number) != before


def test_a_path_for_new_plans_is_read_once_per_catalogue_version(django_assert_num_queries):
    from roles.selectors import training_path_of_role
    from tests.roles.factories import TrainingPathFactory, TrainingStepFactory

    path = TrainingPathFactory()
    TrainingStepFactory(path=path, position=2, name="Second")
    TrainingStepFactory(path=path, position=1, name="First")
    args = {"role_slug": path.role.slug, "path_slug": path.slug}
    first = training_path_of_role(**args)
    assert [step.name for step in first.ordered_steps] == ["First", "Second"]
    not_of_role = {"role_slug": "other-role", "path_slug": path.slug}
    assert training_path_of_role(**not_of_role) is None
    with django_assert_num_queries(0):
        assert training_path_of_role(**args) is first
        assert training_path_of_role(**not_of_role) is None
    # an edit bumps the catalogue version: the next read sees it
    TrainingStepFactory(path=path, position=3, name="Third")
    names = [step.name for step in training_path_of_role(**args).ordered_steps]
    assert names == ["First", "Second", "Third"]


def test_the_process_body_cache_keeps_the_most_recently_used_entries():
    bodies = LocalBodies(max_entries=2)
    bodies.set("a", (b"A", "application/json"))
    bodies.set("b", (b"B", "application/json"))
    assert bodies.get("a") == (b"A", "application/json")  # "a" is now the most recent
    bodies.set("c", (b"C", "application/json"))
    assert bodies.get("b") is None
    assert [bodies.get(k) is not None for k in ("a", "c")] == [True, True]


def test_errors_carry_no_etag(api_client):
    response = api_client.get(api_url("role-detail", "ghost"))
    assert response.status_code == 404
    assert "ETag" not in response


# --- the rendered body, cached per ETag (found by bench/api.py: catalogue reads ran 3-11
# queries and ~30 ms of serializers each, at 0.03-0.1x the bare-Django baseline) -------------


def test_a_second_read_of_a_catalogue_url_is_served_from_the_cache_without_a_query(
    api_client, coder, django_assert_num_queries
):
    # given: one read rendered and cached the body
    url = api_url("role-detail", "medical-coder")
    first = api_client.get(url)

    # when: another client, without an ETag, reads it
    with django_assert_num_queries(0):
        second = api_client.get(url)

    # then: the same body and headers, no query
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]
    assert "max-age=300" in second["Cache-Control"]


def test_a_catalogue_edit_is_served_at_once_not_the_cached_body(api_client, coder):
    # given: a cached body
    url = api_url("role-detail", "medical-coder")
    assert api_client.get(url).json()["salary_bands"] == []

    # when: an editor adds a salary band (the version changes)
    SalaryBandFactory(role=coder)

    # then
    assert len(api_client.get(url).json()["salary_bands"]) == 1


def test_each_query_string_and_host_has_its_own_cached_body(api_client, coder):
    RoleFactory(slug="medical-biller", family="billing")
    everything = api_client.get(api_url("role-list")).json()
    billing = api_client.get(api_url("role-list") + "?family=billing").json()
    assert everything != billing
    # the pagination links in a body name the host it was asked on
    RoleFactory.create_batch(25)
    assert b"http://testserver/" in api_client.get(api_url("role-list")).content
    other_host = api_client.get(api_url("role-list"), HTTP_HOST="localhost").content
    assert b"http://localhost/" in other_host
    assert b"testserver" not in other_host


def test_errors_are_not_cached(api_client, coder):
    url = api_url("role-detail", "medical-biller")
    assert api_client.get(url).status_code == 404
    RoleFactory(slug="medical-biller")
    assert api_client.get(url).status_code == 200


def test_a_deploy_that_changes_the_code_changes_the_etag_and_the_cached_body(
    api_client, coder, monkeypatch
):
    # given: a client's ETag and a cached body, made by the code as it was
    url = api_url("role-detail", "medical-coder")
    before = api_client.get(url)
    # when: a deploy changes the code that shapes the bodies, the catalogue unchanged
    monkeypatch.setattr(caching, "CODE_VERSION", "another-code")
    caching.local_bodies.clear()
    revalidated = api_client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    # then: the old ETag no longer holds, and the body is made anew under the new one
    assert revalidated.status_code == 200
    assert revalidated["ETag"] != before["ETag"]


def test_the_code_digest_changes_with_any_source_of_its_apps(tmp_path, monkeypatch):
    # given: an app's sources
    from careerplan import code_version

    (tmp_path / "roles").mkdir()
    serializers = tmp_path / "roles" / "serializers.py"
    serializers.write_text("MONEY = 10\n")
    monkeypatch.setattr(code_version, "ROOT", tmp_path)
    before = code_version.source_digest(["roles"], ["django"])
    # when: a deploy changes one of them / then: another digest
    serializers.write_text("MONEY = 12\n")
    edited = code_version.source_digest(["roles"], ["django"])
    assert edited != before
    # and so does a file added, and nothing else
    (tmp_path / "roles" / "views.py").write_text("")
    added = code_version.source_digest(["roles"], ["django"])
    assert added != edited
    assert code_version.source_digest(["roles"], ["django"]) == added


@pytest.mark.parametrize("query", ["?x=1", "?search=coder", "?ordering=nonsense", "?page=1&x=2"])
def test_a_query_a_view_does_not_declare_is_kept_in_this_process_only(
    api_client, coder, monkeypatch, django_assert_num_queries, query
):
    # given: the shared cache's writes recorded
    written = []
    real_set = caching.cache.set
    monkeypatch.setattr(
        caching.cache,
        "set",
        lambda key, *args, **kwargs: written.append(key) or real_set(key, *args, **kwargs),
    )
    body_writes = lambda: [key for key in written if key.startswith(caching.BODY_CACHE_PREFIX)]  # noqa: E731
    # when: a list read with a parameter the view does not declare, twice
    url = api_url("role-list") + query
    first = api_client.get(url)
    with django_assert_num_queries(0):  # then: the second from this process's memory
        second = api_client.get(url)
    # and nothing went to the shared cache (which anonymous query strings would grow)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert body_writes() == []
    # while a plain read, or one of a page, goes there as before
    api_client.get(api_url("role-list"))
    api_client.get(api_url("role-list") + "?page=1")
    assert len(body_writes()) == 2
