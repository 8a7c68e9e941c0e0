"""CKAN Action API with real clients against a running server (STANDARDS.md §2.7):
ckanapi.RemoteCKAN (POST, then get_only=True) and a CKAN-harvester-style requests loop."""

from __future__ import annotations

import ckanapi
import pytest
import requests

from smartseoul.opendata import selectors, services
from smartseoul.opendata.tests import conftest as fixtures

pytestmark = pytest.mark.django_db(transaction=True)

# the open-data fixtures (a Jongno-gu publisher and its parking dataset with a table)
jongno, publisher, parking_csv, parking = fixtures.jongno, fixtures.publisher, fixtures.parking_csv, fixtures.parking

EXTRA = 140  # enough for more than one harvester page of 100


@pytest.fixture
def catalogue(parking):
    seoul = services.organization_ensure(
        name="seoul-transport", title_ko="서울특별시 교통정책과", kind="city", department_code="seoul-transport"
    )
    env = services.organization_ensure(
        name="seoul-environment", title_ko="서울특별시 기후환경본부", kind="city", department_code="seoul-environment"
    )
    for i in range(EXTRA):
        services.dataset_create(
            actor=None,
            organization=(seoul, env)[i % 2],
            name=f"dataset-{i:03d}",
            title_ko=f"자료 {i}",
            category=("transport", "environment", "safety")[i % 3],
            tags=[f"t{i % 5}"],
            state="active",
        )
    return parking


def _clients(url, key):
    return [ckanapi.RemoteCKAN(url, apikey=key, get_only=get_only) for get_only in (False, True)]


def test_ckanapi_reads_everything_it_needs(live_server, catalogue, citizen):
    _key, raw = services.api_key_register(owner=citizen, name="ckanapi")
    res, table = selectors.primary_table(catalogue)
    for ckan in _clients(live_server.url, raw):
        found = ckan.action.package_search(q="*:*", rows=5)
        assert found["count"] == EXTRA + 1 and len(found["results"]) == 5
        hits = ckan.action.package_search(q="주차장", **{"facet.field": ["groups", "organization"]})
        assert [p["name"] for p in hits["results"]] == ["jongno-parking"]
        assert hits["search_facets"]["groups"]["items"][0]["name"] == "transport"
        fq = ckan.action.package_search(fq="organization:jongno-gu OR organization:seoul-environment", rows=1000)
        assert fq["count"] == 1 + EXTRA // 2
        pkg = ckan.action.package_show(id="jongno-parking")
        assert pkg["id"] == str(catalogue.uid) and pkg["resources"][0]["id"] == str(res.uid)
        assert "jongno-gu" in ckan.action.organization_list()
        assert ckan.action.organization_show(id="jongno-gu")["name"] == "jongno-gu"
        assert "transport" in ckan.action.group_list()
        assert ckan.action.group_show(id="transport")["package_count"] >= 1
        assert "주차" in ckan.action.tag_list()
        assert ckan.action.resource_show(id=str(res.uid))["datastore_active"] is True
        fields = ckan.action.datastore_search(resource_id=str(res.uid), limit=0)
        assert fields["records"] == [] and fields["total"] == table.row_count
        assert fields["fields"][0]["id"] == "_id"
        seen, offset = [], 0
        while True:
            page = ckan.action.datastore_search(resource_id=str(res.uid), limit=4, offset=offset)
            if not page["records"]:
                break
            seen.extend(r["_id"] for r in page["records"])
            offset += len(page["records"])
        assert seen == list(range(1, table.row_count + 1))
        names = ckan.action.package_list()
        assert len(names) == EXTRA + 1
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-dataset")
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(fq="organization:[broken")
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(sort="no_such_field desc")
        with pytest.raises(ckanapi.NotFound):
            ckan.action.datastore_search(resource_id="00000000-0000-4000-8000-000000000000")


def test_ckanapi_write_errors_map_to_exceptions(live_server, catalogue, citizen, publisher):
    _key, citizen_key = services.api_key_register(owner=citizen, name="c")
    _key, publisher_key = services.api_key_register(owner=publisher, name="p", write=True, second_factor=True)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(live_server.url, apikey=citizen_key).action.package_create(
            name="jongno-new", owner_org="jongno-gu", title="x"
        )
    ckan = ckanapi.RemoteCKAN(live_server.url, apikey=publisher_key)
    with pytest.raises(ckanapi.ValidationError) as err:
        ckan.action.package_create(name="jongno-parking", owner_org="jongno-gu", title="x")
    assert err.value.error_dict["name"] == ["That URL is already in use."]
    created = ckan.action.package_create(
        name="jongno-new",
        owner_org="jongno-gu",
        title="종로구 새 자료",
        tags=[{"name": "새"}],
        extras=[{"key": "district_code", "value": "11110"}],
    )
    assert created["name"] == "jongno-new"
    with pytest.raises(ckanapi.CKANAPIError):
        ckanapi.RemoteCKAN(live_server.url, get_only=True).action.package_create(name="x")


def test_plain_requests_on_the_harvester_prefix(live_server, catalogue):
    response = requests.post(
        f"{live_server.url}/api/3/action/package_show", json={"id": "jongno-parking"}, allow_redirects=False, timeout=30
    )
    assert response.status_code == 200 and response.json()["success"] is True
    response = requests.get(f"{live_server.url}/api/3/action/package_show", params={"id": "nope"}, timeout=30)
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"


FQ_FORMS = [
    ("organization:jongno-gu OR organization:seoul-transport", lambda d: d["org"] in {"jongno-gu", "seoul-transport"}),
    ("-organization:seoul-transport", lambda d: d["org"] != "seoul-transport"),
    ("groups:transport OR groups:safety", lambda d: d["cat"] in {"transport", "safety"}),
    ("-groups:environment", lambda d: d["cat"] != "environment"),
    ("metadata_modified:[2000-01-01T00:00:00.000000Z TO *]", lambda d: True),
    (None, lambda d: True),
]


@pytest.mark.parametrize(("fq", "keep"), FQ_FORMS)
def test_harvester_loop_covers_everything_once(live_server, catalogue, citizen, fq, keep):
    _key, raw = services.api_key_register(owner=citizen, name="harvester")
    expected = {
        str(d.uid)
        for d in selectors.visible_datasets().select_related("organization")
        if keep({"org": d.organization.name, "cat": d.category})
    }
    seen: list[str] = []
    previous = None
    start = 0
    while True:
        params = {"rows": 100, "start": start, "sort": "id asc"}
        if fq:
            params["fq"] = fq
        response = requests.get(
            f"{live_server.url}/api/3/action/package_search", params=params, headers={"Authorization": raw}, timeout=60
        )
        assert response.status_code == 200
        results = response.json()["result"]["results"]
        if not results:
            break
        ids = [p["id"] for p in results]
        assert ids != previous, "two consecutive identical pages"
        previous = ids
        seen.extend(ids)
        start += len(results)
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    assert seen == sorted(seen)
