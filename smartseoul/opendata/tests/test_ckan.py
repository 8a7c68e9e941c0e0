"""CKAN Action API through the Django test client: envelope, error types, methods, limits,
datastore reads, the SQL endpoint (off by default; one SELECT only) and writes."""

from __future__ import annotations

import json

import pytest

from smartseoul.opendata import selectors, services, sqlsafe
from smartseoul.opendata.errors import QueryError

pytestmark = pytest.mark.django_db


def call(client, action, method="get", prefix="/api/3/action/", **data):
    if method == "get":
        response = client.get(prefix + action, data)
    else:
        response = client.post(prefix + action, json.dumps(data), content_type="application/json")
    return response, json.loads(response.content)


def test_envelope_and_both_prefixes(client, parking):
    for prefix in ("/api/3/action/", "/api/action/"):
        response, body = call(client, "package_show", prefix=prefix, id="jongno-parking")
        assert response.status_code == 200
        assert body["success"] is True and body["help"].endswith("help_show?name=package_show")
        pkg = body["result"]
        assert pkg["name"] == "jongno-parking" and pkg["organization"]["name"] == "jongno-gu"
        assert isinstance(pkg["extras"], list) and all(set(e) == {"key", "value"} for e in pkg["extras"])
        assert pkg["groups"][0]["name"] == "transport" and pkg["tags"][0]["name"]
        assert pkg["resources"][0]["datastore_active"] is True
        assert "+" not in pkg["metadata_modified"] and "." in pkg["metadata_modified"]


def test_anonymous_callers_are_rate_limited_with_ckans_error_shape(client, parking, monkeypatch):
    from smartseoul.opendata import ckan

    monkeypatch.setattr(ckan, "ANONYMOUS_PER_MINUTE", 3)
    for _ in range(3):
        assert call(client, "package_list")[0].status_code == 200
    response, body = call(client, "package_list")
    assert response.status_code == 429
    assert body["success"] is False and body["error"]["__type"] == "Authorization Error"


def test_error_types(client, parking):
    response, body = call(client, "package_show", id="nothing-here")
    assert response.status_code == 404
    assert body["error"] == {"__type": "Not Found Error", "message": "Not found: dataset nothing-here"}
    response, body = call(client, "package_search", fq="organization:[broken")
    assert response.status_code == 400 and body["error"]["__type"] == "Search Query Error"
    assert body["error"]["message"].startswith("Search Query is invalid: ")
    response, body = call(client, "package_create", method="post", name="x")
    assert response.status_code == 403 and body["error"]["__type"] == "Authorization Error"
    response, body = call(client, "package_create", name="x")
    assert response.status_code == 400 and "Please use POST method" in body["error"]["message"]
    response, body = call(client, "no_such_action")
    assert response.status_code == 400 and "Action name not known" in body["error"]["message"]


def test_validation_error_has_field_keys_and_no_message(client, parking, citizen):
    _key, raw = services.api_key_register(owner=citizen, name="k")
    response = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "jongno-parking", "owner_org": "jongno-gu"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=raw,
    )
    body = json.loads(response.content)
    assert body["error"]["__type"] == "Authorization Error"  # a citizen does not publish for Jongno-gu


def test_publisher_writes_with_a_raw_token(client, parking, publisher):
    _key, raw = services.api_key_register(owner=publisher, name="ckan", write=True, second_factor=True)
    response = client.post(
        "/api/action/package_create",
        json.dumps({"name": "jongno-parking", "owner_org": "jongno-gu", "title": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=raw,
    )
    body = json.loads(response.content)
    assert response.status_code == 409
    assert body["error"] == {"__type": "Validation Error", "name": ["That URL is already in use."]}
    response = client.post(
        "/api/action/package_create",
        json.dumps(
            {
                "name": "jongno-cctv",
                "owner_org": "jongno-gu",
                "title": "종로구 CCTV",
                "tags": [{"name": "안전"}],
                "groups": [{"name": "safety"}],
            }
        ),
        content_type="application/json",
        HTTP_X_CKAN_API_KEY=raw,
    )
    body = json.loads(response.content)
    assert body["success"] and body["result"]["groups"][0]["name"] == "safety"
    response = client.post(
        "/api/action/package_patch",
        json.dumps({"id": "jongno-cctv", "notes": "설명"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert json.loads(response.content)["result"]["notes"] == "설명"


def test_get_query_values_and_json_strings(client, parking):
    _response, body = call(client, "package_search", q="주차장", **{"facet.field": '["groups","tags"]'}, rows="2")
    assert body["result"]["count"] == 1
    assert body["result"]["search_facets"]["groups"]["items"][0]["name"] == "transport"
    _response, body = call(client, "package_search", rows="5000")
    assert body["success"]  # silently capped


def test_form_body_holding_a_json_document(client, parking):
    from urllib.parse import urlencode

    for content_type in ("application/x-www-form-urlencoded",):
        response = client.post(
            "/api/3/action/package_show",
            urlencode({json.dumps({"id": "jongno-parking"}): "1"}),
            content_type=content_type,
        )
        assert json.loads(response.content)["result"]["name"] == "jongno-parking"
    response = client.post("/api/3/action/package_show", {"id": "jongno-parking"})  # multipart
    assert json.loads(response.content)["result"]["name"] == "jongno-parking"


def test_jsonp_callback(client, parking):
    response = client.get("/api/3/action/status_show", {"callback": "cb"})
    assert response.content.startswith(b"cb(")


def test_lists_and_shows(client, parking):
    assert call(client, "package_list")[1]["result"] == ["jongno-parking"]
    assert "jongno-gu" in call(client, "organization_list")[1]["result"]
    org = call(client, "organization_show", id="jongno-gu")[1]["result"]
    assert org["is_organization"] is True and org["package_count"] == 1
    assert len(call(client, "group_list")[1]["result"]) == 12
    assert call(client, "group_show", id="transport")[1]["result"]["package_count"] == 1
    assert "주차" in call(client, "tag_list")[1]["result"]
    assert any(lic["id"] == "KOGL-1" for lic in call(client, "license_list")[1]["result"])
    assert call(client, "status_show")[1]["result"]["ckan_version"]
    assert "Rows of a datastore table" in call(client, "help_show", name="datastore_search")[1]["result"]
    activities = call(client, "package_activity_list", id="jongno-parking")[1]["result"]
    assert activities[-1]["activity_type"] == "new package"


def test_datastore_search_fields_paging_and_limits(client, parking):
    res, _table = selectors.primary_table(parking)
    body = call(client, "datastore_search", resource_id=str(res.uid), limit="0")[1]["result"]
    assert body["records"] == [] and body["total"] == 6
    assert [f["id"] for f in body["fields"]][:2] == ["_id", "주차장코드(PARKING_CODE)"]
    page = call(client, "datastore_search", method="post", resource_id=str(res.uid), limit=4, offset=4)[1]["result"]
    assert [r["_id"] for r in page["records"]] == [5, 6]
    assert page["_links"]["next"].startswith("/api/3/action/datastore_search?")
    capped = call(client, "datastore_search", resource_id=str(res.uid), limit="99999")[1]["result"]
    assert capped["limit"] == 32000
    filtered = call(
        client,
        "datastore_search",
        resource_id=str(res.uid),
        filters='{"요금(FEE)": 500}',
        sort="주차면수(CAPACITY) desc",
    )[1]["result"]
    assert [r["주차장명(PARKING_NAME)"] for r in filtered["records"]] == ["동대문 주차장", "혜화 주차장"]
    lists = call(client, "datastore_search", resource_id=str(res.uid), records_format="lists", limit="1")[1]
    assert isinstance(lists["result"]["records"][0], list)
    info = call(client, "datastore_info", id=str(res.uid))[1]["result"]
    assert info["meta"]["count"] == 6
    missing = call(client, "datastore_search", resource_id="00000000-0000-4000-8000-000000000000")
    assert missing[1]["error"]["__type"] == "Not Found Error"


def test_sql_endpoint_is_off_by_default(client, parking):
    res, _table = selectors.primary_table(parking)
    response, body = call(client, "datastore_search_sql", sql=f'SELECT * FROM "{res.uid}"')
    assert response.status_code == 403 and body["error"]["__type"] == "Authorization Error"


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM t",
        "SELECT 1; SELECT 2",
        "INSERT INTO t VALUES (1)",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.db'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('/tmp/x.parquet')",
        "SELECT * FROM main.t",
        "PRAGMA database_list",
        "CREATE TABLE x AS SELECT 1",
        "SELECT getenv('HOME')",
        "",
    ],
)
def test_anything_other_than_one_select_is_refused(sql):
    with pytest.raises(QueryError):
        sqlsafe.validate(sql)


def test_sql_endpoint_when_enabled(client, parking, settings):
    settings.OPENDATA_SQL_ENABLED = True
    settings.OPENDATA_SQL_MAX_ROWS = 2
    res, _table = selectors.primary_table(parking)
    _response, body = call(
        client, "datastore_search_sql", sql=f'SELECT "자치구", count(*) AS n FROM "{res.uid}" GROUP BY 1'
    )
    assert body["result"]["records"] == [{"자치구": "종로구", "n": 6}]
    body = call(client, "datastore_search_sql", sql=f'SELECT * FROM "{res.uid}"')[1]
    assert len(body["result"]["records"]) == 2 and body["result"]["records_truncated"] is True
    body = call(client, "datastore_search_sql", sql=f'DROP TABLE "{res.uid}"')[1]
    assert body["success"] is False and body["error"]["__type"] == "Validation Error"
    body = call(client, "datastore_search_sql", sql='SELECT * FROM "00000000-0000-4000-8000-000000000000"')[1]
    assert body["error"]["__type"] == "Not Found Error"
    body = call(client, "datastore_search_sql", sql='SELECT * FROM "not-a-table"')[1]
    assert body["error"]["__type"] == "Validation Error" and "resource id" in body["error"]["sql"][0]


def test_resource_create_with_an_upload(client, parking, publisher, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _key, raw = services.api_key_register(owner=publisher, name="ckan", write=True, second_factor=True)
    upload = SimpleUploadedFile("fees.csv", "구분,요금\n소형,500\n대형,1000\n".encode())
    response = client.post(
        "/api/3/action/resource_create",
        {"package_id": "jongno-parking", "name": "fees", "upload": upload},
        HTTP_AUTHORIZATION=raw,
    )
    body = json.loads(response.content)
    assert body["success"] and body["result"]["datastore_active"] is True
    bad = SimpleUploadedFile("bad.csv", b"a,b\n1,2,3\n1,2,3\n")
    response = client.post(
        "/api/3/action/resource_create", {"package_id": "jongno-parking", "upload": bad}, HTTP_AUTHORIZATION=raw
    )
    body = json.loads(response.content)
    assert body["error"]["__type"] == "Validation Error" and "upload" in body["error"]
