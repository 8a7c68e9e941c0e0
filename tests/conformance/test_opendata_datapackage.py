"""Frictionless Data Package: the served descriptor and the dataset ZIP, validated with
`frictionless` on the unpacked files (schema types and the primary key are checked)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from frictionless import validate

from smartseoul.opendata import services
from smartseoul.opendata.tests import conftest as fixtures

pytestmark = pytest.mark.django_db

# the open-data fixtures (a Jongno-gu publisher and its parking dataset with a table)
jongno, publisher, parking_csv, parking = fixtures.jongno, fixtures.publisher, fixtures.parking_csv, fixtures.parking


def test_descriptor_shape(client, parking):
    response = client.get("/dataset/jongno-parking/datapackage.json")
    assert response.status_code == 200
    package = json.loads(response.content)
    assert package["name"] == "jongno-parking"
    assert package["licenses"][0]["name"] == "KOGL-1"
    assert len(package["resources"]) >= 1
    table = package["resources"][0]
    assert table["encoding"] == "utf-8" and table["format"] == "csv"
    assert table["schema"]["primaryKey"] == ["주차장코드(PARKING_CODE)"]
    assert {f["type"] for f in table["schema"]["fields"]} == {"string", "integer", "number"}
    assert all("/" not in r["name"] for r in package["resources"])


def test_unpacked_zip_validates(client, parking, publisher, tmp_path):
    services.table_write(
        actor=None,
        dataset=parking,
        resource_name="일정",
        fields=[
            {"id": "day", "type": "date", "info": {"label": "날짜"}},
            {"id": "at", "type": "datetime", "info": {"label": "시각"}},
            {"id": "open", "type": "boolean", "info": {"label": "운영"}},
        ],
        rows=[
            {"day": "2025-01-01", "at": "2025-01-01T09:00:00", "open": True},
            {"day": "2025-01-02", "at": "2025-01-02T09:30:00", "open": False},
        ],
    )
    response = client.get("/dataset/jongno-parking/download.zip")
    assert response.status_code == 200
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["resources"]) == 2
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_a_broken_table_fails_frictionless(client, parking, tmp_path):
    response = client.get("/dataset/jongno-parking/download.zip")
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(tmp_path)
    data = next((tmp_path / "data").glob("*.csv"))
    lines = data.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])  # a repeated primary key
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
