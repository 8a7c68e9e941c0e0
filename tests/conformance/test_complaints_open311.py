"""Open311 GeoReport v2 conformance: the bundled JSON Schemas, XML parity, the `georeport`
PyPI client against the running server (JSON and XML), error lists, FixMyStreet-style replays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = ["services.json", "service.json", "service-definition.json", "requests.json", "request.json"]
PHONE = "010-4242-4242"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def validator(shared_dir: Path) -> Any:
    base = shared_dir / "standards" / "open311-georeport-v2"
    registry = Registry().with_resources(
        (n, Resource.from_contents(json.loads((base / n).read_text()), default_specification=DRAFT4)) for n in SCHEMAS
    )

    def make(name: str) -> Draft4Validator:
        return Draft4Validator(json.loads((base / name).read_text()), registry=registry, format_checker=FormatChecker())

    return make


@pytest.fixture
def seoul(city: Any, make_user: Any) -> dict[str, Any]:
    """Categories, an Open311 client key, and three reports in different states."""
    from smartseoul.accounts.services import api_key_create
    from smartseoul.complaints import services
    from smartseoul.complaints.demo import CATEGORIES
    from smartseoul.complaints.tests.factories import jpeg
    from smartseoul.core.models import District

    for spec in CATEGORIES:
        services.category_upsert(**spec)
        services.routing_build_defaults(category_code=spec["code"])
    partner = make_user("partner_app", verification=0)
    _key, raw = api_key_create(owner=partner, name="partner app", scopes=["open311:read", "open311:write"])
    reporter = make_user("citizen_lee", phone=PHONE)
    official = make_user("parking_officer", role="official", department="11110-parking")
    d = District.objects.get(code="11110")
    photo = services.media_upload(owner=reporter, file=jpeg(), source="capture")
    a = services.complaint_submit(
        reporter=reporter,
        category_code="PARK-01",
        lat=d.centroid_lat,
        lon=d.centroid_lon,
        attributes={"PLATE": "12가3456", "ZONE": "BUS"},
        media_ids=[photo.pk],
        description="Blocking the bus stop",
    )
    b = services.complaint_submit(
        reporter=reporter, category_code="ROAD-01", lat=d.centroid_lat + 0.001, lon=d.centroid_lon
    )
    c = services.complaint_submit(
        reporter=reporter,
        category_code="PARK-01",
        lat=d.centroid_lat,
        lon=d.centroid_lon + 0.001,
        attributes={"PLATE": "1", "ZONE": "BUS"},
    )
    services.complaint_start(actor=official, number=a.number, note="Warden on the way")
    services.complaint_resolve(actor=official, number=a.number, note="Fined and towed", photo=jpeg())
    return {"key": raw, "numbers": [a.number, b.number, c.number], "lat": d.centroid_lat, "lon": d.centroid_lon}


def _get(live_server: Any, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{live_server.url}{path}", params=params, timeout=20)


def _xml(response: requests.Response, root: str) -> Any:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    doc = etree.fromstring(response.content)
    assert doc.tag == root
    return doc


def _assert_mirrors(element: Any, obj: dict[str, Any], where: str) -> None:
    """JSON is a mechanical mapping of the XML: every field is the element of the same name, with
    the same value (`null` = an empty element); nested objects and lists follow the same rule."""
    for key, value in obj.items():
        child = element.find(key)
        assert child is not None, f"{where}: <{key}> missing in XML"
        if value is None:
            assert not (child.text or "").strip() and len(child) == 0, f"{where}: <{key}> should be empty"
        elif isinstance(value, bool):
            assert child.text == ("true" if value else "false"), f"{where}: <{key}>"
        elif isinstance(value, int | float):
            assert float(child.text) == float(value), f"{where}: <{key}> {child.text} != {value}"
        elif isinstance(value, str):
            assert (child.text or "") == value, f"{where}: <{key}> {child.text!r} != {value!r}"
        elif isinstance(value, dict):
            _assert_mirrors(child, value, f"{where}/{key}")
        elif isinstance(value, list):
            items = list(child)
            assert len(items) == len(value), f"{where}: <{key}> has {len(items)} items, JSON {len(value)}"
            for i, (item_el, item) in enumerate(zip(items, value, strict=True)):
                if isinstance(item, dict):
                    _assert_mirrors(item_el, item, f"{where}/{key}[{i}]")
                else:
                    assert (item_el.text or "") == str(item), f"{where}/{key}[{i}]"


def _no_personal_data(text: str) -> None:
    assert PHONE not in text and "01042424242" not in text.replace("-", "")
    assert "citizen_lee" not in text and "12가3456" not in text


def test_discovery(live_server: Any, seoul: Any) -> None:
    body = _get(live_server, "/open311/discovery.json").json()
    for field in ("changeset", "contact", "key_service", "endpoints"):
        assert body[field]
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    doc = _xml(_get(live_server, "/open311/discovery.xml"), "discovery")
    assert [f.text for f in doc.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_and_definitions_validate_and_match_xml(live_server: Any, seoul: Any, validator: Any) -> None:
    services_json = _get(live_server, "/open311/v2/services.json").json()
    assert len(services_json) >= 12
    validator("services.json").validate(services_json)
    doc = _xml(_get(live_server, "/open311/v2/services.xml"), "services")
    xml_codes = [s.findtext("service_code") for s in doc.findall("service")]
    assert xml_codes == [s["service_code"] for s in services_json]
    assert [s.findtext("metadata") for s in doc.findall("service")] == [
        "true" if s["metadata"] else "false" for s in services_json
    ]
    for service in services_json:
        validator("service.json").validate(service)
        definition = _get(live_server, f"/open311/v2/services/{service['service_code']}.json").json()
        validator("service-definition.json").validate(definition)
        assert bool(definition["attributes"]) == service["metadata"]
        ddoc = _xml(_get(live_server, f"/open311/v2/services/{service['service_code']}.xml"), "service_definition")
        assert [a.findtext("code") for a in ddoc.findall("attributes/attribute")] == [
            a["code"] for a in definition["attributes"]
        ]
        _assert_mirrors(ddoc, definition, service["service_code"])
    for service, element in zip(services_json, doc.findall("service"), strict=True):
        _assert_mirrors(element, service, service["service_code"])
    park = _get(live_server, "/open311/v2/services/PARK-01.json").json()
    zone = next(a for a in park["attributes"] if a["code"] == "ZONE")
    assert zone["datatype"] == "singlevaluelist" and {"key": "HYDRANT"}.items() <= zone["values"][0].items()


def test_requests_validate_and_match_xml(live_server: Any, seoul: Any, validator: Any) -> None:
    for params in (
        {},
        {"extensions": "true"},
        {"status": "closed"},
        {"service_code": "PARK-01"},
        {"page": "1", "page_size": "2"},
    ):
        response = _get(live_server, "/open311/v2/requests.json", **params)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body, params
        validator("requests.json").validate(body)
        for item in body:
            validator("request.json").validate(item)
        _no_personal_data(response.text)
        doc = _xml(_get(live_server, "/open311/v2/requests.xml", **params), "service_requests")
        assert [r.findtext("service_request_id") for r in doc.findall("request")] == [
            r["service_request_id"] for r in body
        ]
        for element, item in zip(doc.findall("request"), body, strict=True):
            _assert_mirrors(element, item, f"requests {params} {item['service_request_id']}")
        _no_personal_data(etree.tostring(doc, encoding="unicode"))
    closed = _get(live_server, "/open311/v2/requests.json", status="closed").json()
    assert [r["service_request_id"] for r in closed] == [seoul["numbers"][0]]
    assert closed[0]["media_url"].startswith("http")
    paged = _get(live_server, "/open311/v2/requests.json", page="2", page_size="2").json()
    assert len(paged) == 1


def test_extensions_carry_notes_and_photos(live_server: Any, seoul: Any, validator: Any) -> None:
    number = seoul["numbers"][0]
    body = _get(live_server, f"/open311/v2/requests/{number}.json", extensions="true").json()
    assert len(body) == 1
    validator("requests.json").validate(body)
    item = body[0]
    assert item["status"] == "closed" and item["status_notes"] == "Fined and towed"
    assert [n["summary"] for n in item["notes"]][:1] and item["notes"][-1]["description"] == "Fined and towed"
    assert item["extended_attributes"]["district_code"] == "11110"
    assert item["extended_attributes"]["photos"][0]["media_url"].startswith("http")
    assert {a["code"] for a in item["attributes"]} == {"ZONE"}  # the plate is never published
    doc = _xml(_get(live_server, f"/open311/v2/requests/{number}.xml", extensions="true"), "service_requests")
    assert doc.findtext("request/extended_attributes/district_code") == "11110"
    assert len(doc.findall("request/notes/note")) == len(item["notes"])
    _assert_mirrors(doc.find("request"), item, number)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client(live_server: Any, seoul: Any, fmt: str) -> None:
    from georeport import GeoReport

    client = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="seoul.go.kr", output_format=fmt)
    services = client.get_service_list()
    services = services if isinstance(services, list) else [services]
    assert "PARK-01" in {s["service_code"] for s in services}
    definition = client.get_service_definition("PARK-01")
    attrs = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    attrs = attrs if isinstance(attrs, list) else [attrs]
    assert {a["code"] for a in attrs} == {"PLATE", "ZONE"}
    listed = client.get_service_requests(service_code="PARK-01,ROAD-01", status="open,closed")
    listed = listed if isinstance(listed, list) else [listed]
    assert {r["service_request_id"] for r in listed} == set(seoul["numbers"])
    one = client.get_service_request(seoul["numbers"][1])
    assert one["service_code"] == "ROAD-01" and one["status"] == "open"
    by_id = client.get_service_requests(service_request_id=seoul["numbers"][0])
    by_id = by_id if isinstance(by_id, list) else [by_id]
    assert [r["service_request_id"] for r in by_id] == [seoul["numbers"][0]]


def _post(live_server: Any, fmt: str = "json", files: Any = None, **data: Any) -> requests.Response:
    return requests.post(f"{live_server.url}/open311/v2/requests.{fmt}", data=data, files=files, timeout=20)


def _errors(response: requests.Response, status: int, fmt: str) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    if fmt == "json":
        body = response.json()
        assert isinstance(body, list) and body
        for e in body:
            assert set(e) == {"code", "description"} and e["description"]
        return body
    doc = _xml(response, "errors")
    items = [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in doc.findall("error")]
    assert items
    return items


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_error_cases_return_the_spec_error_list(live_server: Any, seoul: Any, fmt: str) -> None:
    from smartseoul.complaints.models import Complaint

    before = Complaint.objects.count()
    ok = {"service_code": "ROAD-01", "lat": seoul["lat"], "long": seoul["lon"]}
    assert _errors(_post(live_server, fmt, api_key="wrong", **ok), 403, fmt)[0]["code"] == 403
    assert _errors(_post(live_server, fmt, **ok), 403, fmt)[0]["code"] == 403
    assert _errors(_post(live_server, fmt, api_key=seoul["key"], lat=seoul["lat"], long=seoul["lon"]), 400, fmt)
    assert _errors(_post(live_server, fmt, api_key=seoul["key"], service_code="ROAD-01"), 400, fmt)
    assert _errors(_post(live_server, fmt, api_key=seoul["key"], service_code="NOPE", lat=1, long=1), 404, fmt)
    assert _errors(
        _post(live_server, fmt, api_key=seoul["key"], service_code="ROAD-01", lat=35.18, long=129.07), 400, fmt
    )
    assert _errors(_post(live_server, fmt, api_key=seoul["key"], description="x" * 4001, **ok), 400, fmt)
    assert _errors(
        _post(live_server, fmt, api_key=seoul["key"], service_code="PARK-01", lat=seoul["lat"], long=seoul["lon"]),
        400,
        fmt,
    )  # required attribute missing
    assert _errors(_get(live_server, f"/open311/v2/requests/2026-999999.{fmt}"), 404, fmt)
    assert _errors(_get(live_server, f"/open311/v2/requests/nonsense.{fmt}"), 404, fmt)
    assert _errors(_get(live_server, f"/open311/v2/tokens/nope.{fmt}"), 404, fmt)
    assert _errors(_get(live_server, f"/open311/v2/services/NOPE.{fmt}"), 404, fmt)
    assert _errors(_get(live_server, f"/open311/v2/services.{fmt}", jurisdiction_id="busan.go.kr"), 404, fmt)
    assert _errors(_get(live_server, f"/open311/v2/requests.{fmt}", start_date="2026-01-01"), 400, fmt)
    assert _errors(
        _get(
            live_server,
            f"/open311/v2/requests.{fmt}",
            start_date="2026-01-01T00:00:00+09:00",
            end_date="2026-06-01T00:00:00+09:00",
        ),
        400,
        fmt,
    )
    assert _errors(_get(live_server, f"/open311/v2/requests.{fmt}", page_size="501"), 400, fmt)
    assert _errors(_get(live_server, f"/open311/v2/requests.{fmt}", status="pending"), 400, fmt)
    assert Complaint.objects.count() == before


def test_unknown_suffix_answers_in_xml(live_server: Any, seoul: Any) -> None:
    response = _get(live_server, "/open311/v2/services.html")
    assert response.status_code == 400
    _xml(response, "errors")
    assert (
        requests.get(f"{live_server.url}/open311/v2/services.json/", timeout=10, allow_redirects=False).status_code
        != 301
    )


def test_fixmystreet_style_create_with_attributes_media_and_token(live_server: Any, seoul: Any, validator: Any) -> None:
    from smartseoul.complaints.models import Complaint
    from smartseoul.complaints.tests.factories import jpeg

    data = [
        ("api_key", seoul["key"]),
        ("service_code", "NOISE-01"),
        ("lat", str(seoul["lat"])),
        ("long", str(seoul["lon"])),
        ("attribute[SOURCE][]", "CONSTRUCTION"),
        ("attribute[SOURCE][]", "SPEAKER"),
        ("media_url", "https://fms.example.org/photo/1.jpeg"),
        ("media_url", "https://fms.example.org/photo/2.jpeg"),
        ("email", "fms-user@example.org"),
        ("phone", "010-9999-0000"),
        ("first_name", "Hong"),
        ("description", "Drilling at night"),
    ]
    files = [("photo1", ("p1.jpg", jpeg(), "image/jpeg")), ("photo2", ("p2.jpg", jpeg(colour="green"), "image/jpeg"))]
    response = requests.post(f"{live_server.url}/open311/v2/requests.json", data=data, files=files, timeout=20)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    number = body[0]["service_request_id"]
    c = Complaint.objects.get(pk=int(number.split("-")[1]))
    assert c.attributes == {"SOURCE": ["CONSTRUCTION", "SPEAKER"]} and c.media.count() == 2
    assert c.channel == "open311" and c.external_media[0].startswith("https://fms.example.org")
    assert "010-9999-0000" not in c.client_contact and c.client_contact  # stored, encrypted
    token = _get(live_server, f"/open311/v2/tokens/{c.token}.json").json()
    assert token == [{"service_request_id": number, "token": c.token}]
    read = _get(live_server, f"/open311/v2/requests/{number}.json", extensions="true")
    validator("requests.json").validate(read.json())
    assert "010-9999-0000" not in read.text and "fms-user@example.org" not in read.text and "Hong" not in read.text
    # v2.1 draft: media[] with the XML format, address text instead of a position
    xml = requests.post(
        f"{live_server.url}/open311/v2/requests.xml",
        data={
            "api_key": seoul["key"],
            "service_code": "WASTE-01",
            "address_string": "Jongno-gu",
            "address_id": "#NOTPINPOINTED#",
        },
        files=[("media[]", ("m.jpg", jpeg(), "image/jpeg"))],
        timeout=20,
    )
    doc = _xml(xml, "service_requests")
    assert doc.findtext("request/service_request_id") and doc.find("request/token") is None


def test_updates_feed(live_server: Any, seoul: Any) -> None:
    response = _get(
        live_server,
        "/open311/v2/servicerequestupdates.xml",
        api_key=seoul["key"],
        start_date="2020-01-01T00:00:00+09:00",
        end_date="2020-03-01T00:00:00+09:00",
    )
    _xml(response, "service_requests_updates")
    from smartseoul.core import clock

    now = clock.now()
    start = (now.replace(microsecond=0) - __import__("datetime").timedelta(hours=1)).isoformat()
    doc = _xml(
        _get(live_server, "/open311/v2/servicerequestupdates.xml", api_key=seoul["key"], start_date=start),
        "service_requests_updates",
    )
    updates = doc.findall("request_update")
    codes = [
        u.findtext("external_status_code") for u in updates if u.findtext("service_request_id") == seoul["numbers"][0]
    ]
    assert codes == ["FOR_TRIAGE", "IN_PROGRESS", "FIXED"]
    fixed = next(u for u in updates if u.findtext("external_status_code") == "FIXED")
    assert fixed.findtext("status") == "closed" and fixed.findtext("media_url").startswith("http")
    assert all(u.findtext("update_id") for u in updates)
    assert _get(live_server, "/open311/v2/servicerequestupdates.xml").status_code == 403
