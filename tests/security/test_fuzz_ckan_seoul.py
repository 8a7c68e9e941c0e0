"""The two open-data protocols outside /api/v1/openapi.json, fuzzed with Hypothesis against the
Seoul demo: the CKAN Action API (/api/3/action/<name>) and Seoul's OpenAPI paths
(/<key>/<type>/<service>/<start>/<end>/<filters>).

Requests carry random `q`, `fq`, `rows`, `start`, `sort`, `filters`, `limit`, `offset`, names,
ids and bodies (huge and negative numbers, JSON where text is expected and text where JSON is,
query syntax, broken bodies), anonymously and with an official's key holding every write scope.
Every answer must be the protocol's own envelope: CKAN's `{"success": false, "error":
{"__type": ...}}` with a 4xx status, or Seoul's `RESULT` with an INFO or ERROR code. A server
error in either form (HTTP 500, CKAN's "Internal Server Error", Seoul's ERROR-500) fails the test.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st

from .fuzzing import fuzz_city, fuzz_demo, fuzz_dirs, fuzz_settings, official_with_key

__all__ = ["fuzz_city", "fuzz_demo", "fuzz_dirs"]  # fixtures this module uses

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.xdist_group("fuzz-opendata")]

DEMO_MODULES = ("opendata",)
CKAN_EXAMPLES = 400  # requests per identity
SEOUL_EXAMPLES = 300
CKAN_PARAMS = (
    "q", "fq", "fq_list", "rows", "start", "sort", "filters", "limit", "offset", "id", "name", "resource_id",
    "fields", "facet", "facet.field", "facet.limit", "include_private", "include_total", "distinct", "plain",
    "records_format", "sql", "all_fields", "owner_org", "title", "notes", "resources", "tags", "private",
    "state", "url", "package_id", "organization", "type", "language",
)
PAGED_ACTIONS = (
    "package_search", "package_list", "current_package_list_with_resources", "organization_list", "group_list",
    "tag_list", "datastore_search", "datastore_search_sql", "datastore_info", "package_activity_list",
    "recently_changed_packages_activity_list", "list_datarequests", "package_show", "resource_show",
)
CKAN_STATUSES = {400, 403, 404, 409, 429}
TRICKY = (
    "", " ", "0", "-1", "1e309", "NaN", "Infinity", "9" * 40, "-" + "9" * 40, "null", "true", "[]", "{}", "[1, 2]",
    '{"a": 1}', '{"a": [1, 2]}', '{"_id": {"$gt": 1}}', '"', "'", "\\", "%", "*", "*:*", "name:x AND (", "title asc",
    "_id desc, x asc", "no_such_field desc", "metadata_modified desc", "res_format:CSV", "tags:교통", "organization:",
    "SELECT 1", "select * from \"x\"", "'; DROP TABLE opendata_dataset; --", "../../etc/passwd", "\x00", "\u202e",
    "주차장", "a" * 2000,
)


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str, response: Any) -> None:
        if len(self.failures) < 20:
            self.failures.append(f"{what} -> {response.status_code}: {response.content[:300]!r}")


def demo_values() -> dict[str, list[str]]:
    """Real names and ids of the demo's open data, so generated calls reach past "not found"."""
    from smartseoul.opendata.models import Dataset, Organization, Resource

    datasets = list(Dataset.objects.order_by("pk").values_list("name", "uid", "service_name")[:20])
    return {
        "dataset": [n for n, _u, _s in datasets] + [str(u) for _n, u, _s in datasets],
        "resource": [str(u) for u in Resource.objects.order_by("pk").values_list("uid", flat=True)[:20]],
        "organization": list(Organization.objects.order_by("pk").values_list("name", flat=True)[:10]),
        "service": [s for _n, _u, s in datasets if s],
    }


def scalars(real: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(real or ["x"]),
        st.sampled_from(TRICKY),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=30),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.none(),
    )


def values(real: list[str]) -> st.SearchStrategy[Any]:
    leaf = scalars(real)
    return st.one_of(
        leaf,
        st.lists(leaf, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(CKAN_PARAMS), st.text(max_size=10)), leaf, max_size=4),
    )


def as_query(value: Any) -> str | list[str]:
    """A generated value as a query string parameter: lists repeat the key, objects go as JSON."""
    if isinstance(value, list):
        return [v if isinstance(v, str) else json.dumps(v) for v in value] or [""]
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


@st.composite
def ckan_requests(draw: st.DrawFn, real: dict[str, list[str]]) -> tuple[str, str, Any]:
    """(method, action, params or body) for one CKAN call."""
    from smartseoul.opendata import ckan

    names = sorted(ckan.ACTIONS)
    pick = draw(st.integers(0, 9))
    if pick < 5:  # half the calls go to the actions that search, page and read tables
        action = draw(st.sampled_from(PAGED_ACTIONS))
    else:
        action = draw(st.sampled_from(names)) if pick < 9 else draw(st.text(min_size=1, max_size=20))
    ids = real["dataset"] + real["resource"] + real["organization"]
    keys = draw(st.lists(st.sampled_from(CKAN_PARAMS), max_size=6, unique=True))
    params = {k: draw(values(ids)) for k in keys}
    if draw(st.booleans()):  # the id an action reads, most often a real one
        params["id"] = draw(st.sampled_from(ids))
    if action in ckan.READ_ACTIONS and draw(st.integers(0, 3)):
        return "GET", action, {k: as_query(v) for k, v in params.items()}
    body = draw(st.one_of(
        st.just(params),
        st.just(params),
        values(ids),  # not an object at all
        st.binary(max_size=40),  # not JSON
    ))
    return "POST", action, body


def check_ckan(tally: Tally, what: str, response: Any) -> None:
    tally.requests += 1
    tally.statuses[response.status_code] += 1
    try:
        body = json.loads(response.content)
    except ValueError:
        tally.fail(f"{what}: not JSON", response)
        return
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool) or "help" not in body:
        tally.fail(f"{what}: not CKAN's envelope", response)
    elif body["success"]:
        if response.status_code != 200 or "result" not in body:
            tally.fail(f"{what}: success without a result", response)
    else:
        error = body.get("error")
        if (
            response.status_code not in CKAN_STATUSES
            or not isinstance(error, dict)
            or not isinstance(error.get("__type"), str)
            or error["__type"] == "Internal Server Error"
        ):
            tally.fail(f"{what}: not a CKAN refusal", response)


def fuzz_ckan(client: Client, headers: dict[str, str], real: dict[str, list[str]]) -> Tally:
    tally = Tally()

    @given(call=ckan_requests(real))
    @fuzz_settings(CKAN_EXAMPLES)
    def each(call: tuple[str, str, Any]) -> None:
        method, action, payload = call
        cache.clear()  # rate limits would otherwise answer most calls with 429
        path = f"/api/3/action/{quote(action, safe='')}"
        if method == "GET":
            response = client.get(path, payload, headers=headers)
        elif isinstance(payload, bytes):
            response = client.post(path, payload, content_type="application/json", headers=headers)
        else:
            response = client.post(path, json.dumps(payload), content_type="application/json", headers=headers)
        if response.status_code == 404 and ("/" in action or action in {".", ".."}):
            tally.requests += 1  # a name with a slash is another URL, which the resolver refuses
            return
        check_ckan(tally, f"{method} {path} {payload!r}"[:400], response)

    each()
    return tally


@pytest.mark.parametrize("keyed", [False, True], ids=["anonymous", "official-key"])
def test_ckan_action_api_answers_random_calls_with_its_own_envelope(fuzz_demo: None, keyed: bool) -> None:
    headers = {"Authorization": official_with_key()[1]} if keyed else {}
    tally = fuzz_ckan(Client(), headers, demo_values())
    print(f"\nCKAN {'official' if keyed else 'anonymous'}: {tally.requests} requests, {dict(tally.statuses)}")
    assert not tally.failures, "\n".join(tally.failures)
    assert tally.statuses[500] == 0
    assert tally.statuses[200] > tally.requests // 10  # the generated calls reach real data, not only refusals


# --- Seoul OpenAPI --------------------------------------------------------------------------------

SEOUL_TYPES = ("json", "xml", "xmlf", "xls")
SEGMENT = st.text(st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), max_size=12)
INDEX = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=-3, max_value=1200).map(str),
    st.sampled_from(("", " ", "1.5", "1e3", "0x10", "٣", "NaN", "9" * 40)),
    SEGMENT,
)


@st.composite
def seoul_paths(draw: st.DrawFn, real: dict[str, list[str]], keys: list[str]) -> tuple[str, str]:
    key = draw(st.sampled_from(keys)) if draw(st.integers(0, 4)) else draw(st.from_regex(r"[A-Za-z0-9_-]{4,20}",
                                                                                         fullmatch=True))
    type_ = draw(st.sampled_from(SEOUL_TYPES))
    if draw(st.integers(0, 4)):
        service = draw(st.sampled_from(real["service"] or ["x"]))
    else:
        service = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{1,30}", fullmatch=True))
    if draw(st.booleans()):  # a window the service may answer with rows
        start_at = draw(st.integers(min_value=1, max_value=40))
        start, end = str(start_at), str(start_at + draw(st.integers(min_value=0, max_value=10)))
    else:
        start, end = draw(INDEX), draw(INDEX)
    filters = draw(st.lists(st.one_of(st.sampled_from(TRICKY[:12]), SEGMENT), max_size=4))
    segments = [key, type_, service, start, end, *filters]
    return type_, "/" + "/".join(quote(s, safe="") for s in segments)


def routed(path: str) -> bool:
    try:
        return resolve(unquote(path)).url_name == "seoul-openapi"
    except Resolver404:
        return False


SEOUL_CODE = re.compile(r"^(INFO|ERROR)-\d{3}$")


def seoul_code(type_: str, response: Any) -> str | None:
    """The RESULT code of a Seoul answer, "INFO-000" for rows, None when it is not Seoul's form."""
    if type_ == "xls" and response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return "INFO-000"
    if type_ == "json" or response["Content-Type"].startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            return None
        result = body.get("RESULT") if "RESULT" in body else next(iter(body.values()), {}).get("RESULT")
        return result.get("CODE") if isinstance(result, dict) else None
    found = re.search(rb"<CODE>([A-Z]+-\d{3})</CODE>", response.content)
    return found.group(1).decode() if found else None


def test_seoul_openapi_answers_random_paths_with_a_result_code(fuzz_demo: None) -> None:
    from smartseoul.opendata.seoulapi import SAMPLE_KEY

    keys = [SAMPLE_KEY, official_with_key()[1]]
    client, real, tally, codes = Client(), demo_values(), Tally(), Counter[str]()
    assert real["service"], "the demo publishes datasets under Seoul OpenAPI service names"

    @given(call=seoul_paths(real, keys))
    @fuzz_settings(SEOUL_EXAMPLES)
    def each(call: tuple[str, str]) -> None:
        type_, path = call
        cache.clear()
        response = client.get(path)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if not routed(path):  # e.g. a line break in a filter: not Seoul's pattern, the site's 404
            if response.status_code != 404:
                tally.fail(f"{path}: not routed", response)
            return
        code = seoul_code(type_, response)
        codes[code or "none"] += 1
        if response.status_code != 200 or code is None or not SEOUL_CODE.match(code) or code == "ERROR-500":
            tally.fail(path, response)

    each()
    print(f"\nSeoul OpenAPI: {tally.requests} requests, result codes {dict(codes)}")
    assert not tally.failures, "\n".join(tally.failures)
    assert codes["INFO-000"] > 0  # some generated calls read real rows
