"""Server errors the fuzzers found, one test each, and the one pagination of every /api/v1 list.

The first two are the reported ones: a limit and offset past SQLite's 64-bit integers
(datatype mismatch) and a negative offset (a negative slice). Both are refused by the shared
`Page` schema with 422 and the error envelope before any query runs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from smartseoul.core.schemas import PAGE_LIMIT_MAX, PAGE_OFFSET_MAX, ROW_ID_MAX

pytestmark = pytest.mark.django_db

# Lists that are not paged, and why: each is bounded by what it lists.
UNPAGED = {
    "/api/v1/city/districts": "Seoul's 25 districts",
    "/api/v1/complaints/categories": "the fixed category list",
    "/api/v1/complaints/nearby": "open reports within 100 m from the last 30 days",
    "/api/v1/complaints/districts": "one row per district",
    "/api/v1/voting/votes/{vote_id}/log/checkpoints": "one signed checkpoint per closed batch of one vote",
    "/api/v1/democracy/proposals/{proposal_id}/comments": "one proposal's thread, shown whole",
    "/api/v1/democracy/answers/tracking": "one row per department",
    "/api/v1/democracy/moderation": "the 200 most reported items",
    "/api/v1/budget/cycles/{slug}/results": "one cycle's projects",
    "/api/v1/sensors/air/districts": "one row per district",
    "/api/v1/sensors/alerts/subscriptions": "the caller's own subscriptions, one per district",
    "/api/v1/dashboard/widgets": "the fixed widget set",
    "/api/v1/dashboard/layers": "the layer catalogue",
    "/api/v1/dashboard/nearby": "a few places per layer around one point",
}
# The transparency log's leaves keep the names auditors' tools send (`start`, `limit`); bounded too.
OWN_PAGING = {"/api/v1/voting/votes/{vote_id}/log/leaves"}


def refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = json.loads(response.content)
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_reported_inquiries_page_past_the_database_integers_is_refused(client: Client) -> None:
    error = refused(client.get("/api/v1/democracy/inquiries?limit=25032660015913112&offset=113435038872023089152"))
    assert error["code"] == "invalid"
    assert {tuple(d["loc"])[-1] for d in error["details"]} == {"limit", "offset"}


def test_reported_documents_negative_offset_is_refused(client: Client) -> None:
    error = refused(client.get("/api/v1/opendata/documents?offset=-183388489081598784"))
    assert error["code"] == "invalid"
    assert [tuple(d["loc"])[-1] for d in error["details"]] == ["offset"]


def test_the_last_page_the_bounds_allow_answers_empty(client: Client) -> None:
    response = client.get(f"/api/v1/democracy/inquiries?limit={PAGE_LIMIT_MAX}&offset={PAGE_OFFSET_MAX}")
    assert response.status_code == 200
    assert response.json()["items"] == []
    response = client.get(f"/api/v1/opendata/documents?limit={PAGE_LIMIT_MAX}&offset={PAGE_OFFSET_MAX}")
    assert response.status_code == 200 and response.json()["results"] == []
    refused(client.get(f"/api/v1/opendata/documents?limit={PAGE_LIMIT_MAX + 1}"))
    refused(client.get("/api/v1/opendata/documents?limit=0"))
    refused(client.get(f"/api/v1/democracy/inquiries?offset={PAGE_OFFSET_MAX + 1}"))


@pytest.mark.parametrize("row_id", [0, -1, ROW_ID_MAX + 1, 10**30])
def test_a_row_id_outside_the_database_integers_is_refused_not_looked_up(client: Client, row_id: int) -> None:
    for path in (f"/api/v1/democracy/proposals/{row_id}", f"/api/v1/democracy/inquiries/{row_id}/responses",
                 f"/api/v1/voting/votes/{row_id}", f"/api/v1/sensors/parking/lots/{row_id}"):
        assert refused(client.get(path))["code"] == "invalid"


def test_the_largest_row_id_is_looked_up_and_not_found(client: Client) -> None:
    assert refused(client.get(f"/api/v1/democracy/proposals/{ROW_ID_MAX}"), 404)["code"].endswith("not_found")


def schema() -> dict[str, Any]:
    from smartseoul.api import api

    # Through JSON, as clients read it: a status declared twice (a number and a string) would collide.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))


def is_list(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    content = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    body = content.get("schema", {})
    if "$ref" in body:
        body = components[body["$ref"].rsplit("/", 1)[-1]]
    return body.get("type") == "array" or bool({"items", "results"} & set(body.get("properties", {})))


def test_every_list_operation_uses_the_one_page_schema() -> None:
    published = schema()
    components = published["components"]["schemas"]
    paged, unpaged = [], []
    for path, item in published["paths"].items():
        operation = item.get("get")
        if operation is None or path in OWN_PAGING:
            continue
        query = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if {"limit", "offset", "rows"} & set(query):
            limit, offset = query["limit"], query["offset"]  # both, under these names (never rows/start)
            assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, PAGE_LIMIT_MAX, 50), path
            assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, PAGE_OFFSET_MAX, 0), path
            paged.append(path)
        elif is_list(operation, components):
            unpaged.append(path)
    assert len(paged) >= 18
    assert sorted(unpaged) == sorted(UNPAGED), "a new list operation takes `page: Query[Page]`"


def test_every_operation_declares_its_refusals_in_the_error_envelope() -> None:
    published = schema()
    envelope = {"$ref": "#/components/schemas/ErrorOut"}
    assert published["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    for path, item in published["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("parameters") or "requestBody" in operation:
                assert responses["422"]["content"]["application/json"]["schema"] == envelope, (method, path)
            if operation.get("security"):
                assert "401" in responses and "403" in responses, (method, path)


# --- CKAN Action API ---------------------------------------------------------------------------------


def ckan(client: Client, action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(f"/api/3/action/{action}", json.dumps(body), content_type="application/json")
    return response.status_code, json.loads(response.content)


def test_ckan_search_terms_given_as_a_list_of_any_json_values_are_searched_as_text(client: Client) -> None:
    for body in ({"q": [True, 1, None]}, {"fq": [True], "q": "x"}):
        status, answer = ckan(client, "package_search", body)
        assert status == 200 and answer["success"] is True, answer


@pytest.mark.parametrize("key", ["start", "rows", "offset", "limit"])
@pytest.mark.parametrize("value", [10**20, 1e309, "-1"])
def test_ckan_counts_past_the_bounds_are_a_validation_error(client: Client, key: str, value: Any) -> None:
    action = "package_search" if key in ("start", "rows") else "package_list"
    raw = json.dumps({key: value}).replace("Infinity", "1e309")  # a number JSON decodes to infinity
    response = client.post(f"/api/3/action/{action}", raw, content_type="application/json")
    answer = json.loads(response.content)
    assert response.status_code == 409, answer
    assert answer["success"] is False and answer["error"]["__type"] == "Validation Error" and key in answer["error"]


# --- NUL characters (PostgreSQL stores and compares no text holding one) -------------------------------


def test_a_nul_character_in_an_api_query_is_refused_before_any_lookup(client: Client) -> None:
    error = refused(client.get("/api/v1/democracy/adopted", {"q": "a\x00b", "offset": 11653}), 400)
    assert error["code"] == "nul_character"
    assert refused(client.get("/api/v1/opendata/documents?q=%00"), 400)["code"] == "nul_character"


def test_a_nul_character_in_a_json_body_is_refused(client: Client, citizen: Any) -> None:
    from conftest import sign_in

    sign_in(client, citizen)
    body = json.dumps({"title": "x\x00", "body": "y"})
    response = client.post("/api/v1/democracy/proposals", body, content_type="application/json")
    assert refused(response, 400)["code"] == "nul_character"


def test_a_page_with_a_nul_character_in_its_query_answers_the_error_page(client: Client) -> None:
    response = client.get("/opendata/", {"q": "\x00"})
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_ckan_refuses_a_nul_character_in_its_own_envelope(client: Client) -> None:
    status, answer = ckan(client, "package_search", {"q": "a\x00"})
    assert status == 409 and answer["error"]["__type"] == "Validation Error" and "input" in answer["error"]
