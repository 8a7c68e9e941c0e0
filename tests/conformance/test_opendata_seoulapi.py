"""Seoul OpenAPI contract: every code we can trigger, in JSON and XML (parsed with lxml and
compared field by field), the sample limit, quotas, and a full page loop."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from smartseoul.accounts.services import api_key_create
from smartseoul.opendata import services
from smartseoul.opendata.tests import conftest as fixtures

pytestmark = pytest.mark.django_db

# the open-data fixtures (a Jongno-gu publisher and its parking dataset with a table)
jongno, publisher, parking_csv, parking = fixtures.jongno, fixtures.publisher, fixtures.parking_csv, fixtures.parking


def _json(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return json.loads(response.content)


def _xml(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def _code(body):
    return (body.get("JongnoParking") or body)["RESULT"]["CODE"]


def _xml_code(root):
    result = root if root.tag == "RESULT" else root.find("RESULT")
    return result.findtext("CODE")


@pytest.fixture
def key(citizen):
    _key, raw = services.api_key_register(owner=citizen, name="app")
    return raw


CASES = [
    ("/sample/{t}/JongnoParking/1/5/", "INFO-000"),
    ("/nokey1234/{t}/JongnoParking/1/5/", "INFO-100"),
    ("/sample/{t}/JongnoParking/1/5/없는구/", "INFO-200"),
    ("/{key}/{t}/JongnoParking/100/200/", "INFO-200"),
    ("/sample/{t}/JongnoParking//5/", "ERROR-300"),
    ("/sample/{t}/NoSuchService/1/5/", "ERROR-310"),
    ("/sample/{t}/JongnoParking/0/5/", "ERROR-331"),
    ("/sample/{t}/JongnoParking/1/0/", "ERROR-332"),
    ("/sample/{t}/JongnoParking/a/5/", "ERROR-333"),
    ("/sample/{t}/JongnoParking/5/1/", "ERROR-334"),
    ("/sample/{t}/JongnoParking/1/6/", "ERROR-335"),
    ("/{key}/{t}/JongnoParking/1/1001/", "ERROR-336"),
]


@pytest.mark.parametrize(("path", "code"), CASES)
def test_every_code_in_json_and_xml(client, parking, key, path, code):
    body = _json(client, path.format(t="json", key=key))
    root = _xml(client, path.format(t="xml", key=key))
    assert _code(body) == code
    assert _xml_code(root) == code
    if code != "INFO-000":
        assert set(body) == {"RESULT"}  # errors come without the service wrapper
        assert root.tag == "RESULT"


def test_json_and_xml_carry_the_same_rows(client, parking):
    body = _json(client, "/sample/json/JongnoParking/1/5/")["JongnoParking"]
    root = _xml(client, "/sample/xml/JongnoParking/1/5/")
    assert root.tag == "JongnoParking"
    assert int(root.findtext("list_total_count")) == body["list_total_count"] == 6
    assert root.find("RESULT").findtext("MESSAGE") == body["RESULT"]["MESSAGE"] == "정상 처리되었습니다"
    xml_rows = root.findall("row")
    assert len(xml_rows) == len(body["row"]) == 5
    for jrow, xrow in zip(body["row"], xml_rows, strict=True):
        assert [c.tag for c in xrow] == list(jrow)
        for child in xrow:
            assert child.text == (None if jrow[child.tag] is None else str(jrow[child.tag]))
    assert list(body["row"][0])[:2] == ["PARKING_CODE", "PARKING_NAME"]
    assert body["row"][0]["PARKING_CODE"] == "PK001"


def test_a_range_past_the_end_returns_what_exists(client, parking, key):
    body = _json(client, f"/{key}/json/JongnoParking/5/10/")["JongnoParking"]
    assert [r["PARKING_CODE"] for r in body["row"]] == ["PK005", "PK006"]


def test_positional_filters_and_empty_segments(client, parking):
    assert _code(_json(client, "/sample/json/JongnoParking/1/5/종로구/")) == "INFO-000"
    assert _code(_json(client, "/sample/json/JongnoParking/1/5//")) == "INFO-000"


def test_page_loop_neither_repeats_nor_skips(client, parking, key):
    seen = []
    start = 1
    while True:
        body = _json(client, f"/{key}/json/JongnoParking/{start}/{start + 1}/")
        if _code(body) != "INFO-000":
            assert _code(body) == "INFO-200"
            break
        page = body["JongnoParking"]
        seen.extend(r["PARKING_CODE"] for r in page["row"])
        start += 2
        if start > page["list_total_count"]:
            break
    assert seen == [f"PK00{i}" for i in range(1, 7)]


def test_sample_key_of_a_citizen_is_limited_to_five_rows(client, parking, citizen):
    _key, raw = services.api_key_register(owner=citizen, name="test", sample=True)
    assert _code(_json(client, f"/{raw}/json/JongnoParking/1/5/")) == "INFO-000"
    assert _code(_json(client, f"/{raw}/json/JongnoParking/1/6/")) == "ERROR-335"


def test_daily_quota_gives_error_337(client, parking, citizen):
    _key, raw = api_key_create(owner=citizen, name="tiny", scopes=["opendata:read"], daily_quota=2)
    codes = [_code(_json(client, f"/{raw}/json/JongnoParking/1/1/")) for _ in range(3)]
    assert codes == ["INFO-000", "INFO-000", "ERROR-337"]
    root = _xml(client, f"/{raw}/xml/JongnoParking/1/1/")
    assert _xml_code(root) == "ERROR-337"


def test_xmlf_and_xls_are_downloads(client, parking):
    xmlf = client.get("/sample/xmlf/JongnoParking/1/5/")
    assert "attachment" in xmlf["Content-Disposition"]
    assert etree.fromstring(xmlf.content).tag == "JongnoParking"
    xls = client.get("/sample/xls/JongnoParking/1/5/")
    assert xls.content[:2] == b"PK"


def test_the_strict_pattern_leaves_other_urls_alone(client, parking):
    assert client.get("/sample/html/JongnoParking/1/5/").status_code == 404
    assert client.get("/healthz").status_code == 200


def test_api_calls_are_counted(client, parking):
    _json(client, "/sample/json/JongnoParking/1/5/")
    parking.refresh_from_db()
    assert parking.usage.get().api_calls == 1
