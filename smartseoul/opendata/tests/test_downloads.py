"""CSV downloads: the page's link gives Excel a UTF-8 file with a byte-order mark (or CP949 on
request); the addresses machines follow (resource URL, Data Package ZIP, DataStore) stay plain UTF-8."""

from __future__ import annotations

import codecs
import io
import json
import zipfile

import pytest

from smartseoul.opendata import selectors

pytestmark = pytest.mark.django_db

HEADER = "주차장코드(PARKING_CODE),주차장명(PARKING_NAME),자치구,주차면수(CAPACITY),요금(FEE),위도,경도"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _resource(parking):
    res, _table = selectors.primary_table(parking)
    return res


def test_the_page_links_the_excel_download_and_the_cp949_one(client, parking):
    res = _resource(parking)
    page = client.get("/opendata/dataset/jongno-parking/").content.decode()
    people = f"/opendata/dataset/jongno-parking/resource/{res.uid}/download/jongno-parking.csv"
    assert f'href="{people}" id="download-csv"' in page
    assert f'href="{people}?encoding=cp949" id="download-csv-cp949"' in page


def test_people_csv_starts_with_a_bom_and_reads_as_korean(client, parking):
    res = _resource(parking)
    response = client.get(f"/opendata/dataset/jongno-parking/resource/{res.uid}/download/jongno-parking.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="jongno-parking-')
    body = _body(response)
    assert body.startswith(codecs.BOM_UTF8) and not body.startswith(codecs.BOM_UTF8 * 2)
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER and len(lines) == 7
    assert selectors.usage_for(parking)["downloads"] == 1


def test_cp949_on_request(client, parking):
    res = _resource(parking)
    url = f"/opendata/dataset/jongno-parking/resource/{res.uid}/download/jongno-parking.csv"
    for asked in ("cp949", "EUC-KR", "ms949"):
        response = client.get(url, {"encoding": asked})
        body = _body(response)
        assert response["Content-Type"] == "text/csv; charset=cp949"
        assert not body.startswith(codecs.BOM_UTF8)
        assert body.decode("cp949").splitlines()[0] == HEADER
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    assert client.get(url, {"encoding": "latin-9"}).status_code == 400


def test_machine_addresses_stay_plain_utf8(client, parking):
    res = _resource(parking)
    root = f"/dataset/jongno-parking/resource/{res.uid}/download/jongno-parking.csv"
    plain = _body(client.get(root))
    assert plain.decode("utf-8").splitlines()[0] == HEADER  # no BOM in front of the header
    # The descriptor promises utf-8 at that very address.
    descriptor = json.loads(client.get("/dataset/jongno-parking/datapackage.json").content)
    table = next(r for r in descriptor["resources"] if r.get("encoding"))
    prefix = f"/dataset/jongno-parking/resource/{res.uid}/download/"
    assert table["encoding"] == "utf-8" and prefix in table["path"] and table["path"].endswith(".csv")
    assert _body(client.get(table["path"].removeprefix("http://testserver"))) == plain
    # The ZIP's CSV is the same bytes.
    archive = zipfile.ZipFile(io.BytesIO(_body(client.get("/dataset/jongno-parking/download.zip"))))
    inner = next(n for n in archive.namelist() if n.endswith(".csv"))
    assert archive.read(inner) == plain
    # Asked for, the resource address gives Excel's form too.
    assert _body(client.get(root, {"encoding": "utf-8-sig"})) == codecs.BOM_UTF8 + plain
    # Other formats are not touched by the encoding.
    people_json = f"/opendata/dataset/jongno-parking/resource/{res.uid}/download/jongno-parking.json"
    assert _body(client.get(people_json)) == _body(client.get(root.replace(".csv", ".json")))


def test_datastore_csv_records_have_no_bom(client, parking):
    res = _resource(parking)
    answer = json.loads(
        client.get(
            "/api/3/action/datastore_search", {"resource_id": str(res.uid), "records_format": "csv", "limit": 2}
        ).content
    )
    assert answer["success"] is True
    assert not answer["result"]["records"].startswith("\ufeff")
