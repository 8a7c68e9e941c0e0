"""The open-data journey in Chromium: a district publisher uploads a CP949 CSV with bad rows,
reads the report and publishes; a citizen finds it by a Korean word inside a longer word with a
particle, previews it, draws a chart, downloads it, and gets a sample key whose 6th row is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "주차장명,주소,주차면수,기본요금,위도,경도\n"


def _csv(path):
    rows = [
        f"종로 공영주차장 {i},서울 종로구 {i}번지,{20 + i * 5},{300 + (i % 3) * 100},"
        f"{37.57 + i / 1000:.4f},{126.98 + i / 1000:.4f}\n"
        for i in range(1, 31)
    ]
    rows.insert(5, "잘못된 줄,주소,10,100,37.5,126.9,남는값\n")  # too many fields (line 7)
    rows.insert(12, "짧은 줄,주소\n")  # too few fields (line 14)
    path.write_bytes((HEADER + "".join(rows)).encode("cp949"))
    return path


@pytest.fixture
def district_publisher(city, make_user):
    from smartseoul.accounts.services import totp_begin
    from smartseoul.opendata import services

    services.organization_ensure(
        name="jongno-gu", title_ko="서울특별시 종로구", title_en="Jongno-gu", kind="district", district_code="11110"
    )
    user = make_user("jongno-data", role="official", department="11110-parking", capabilities=("publisher",))
    totp_begin(user=user)
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    return user


def test_publish_find_preview_chart_download_and_sample_key(
    district_publisher, make_user, desktop_page, phone_page, tmp_path, artefacts_dir
):
    make_user("minji", district="11110")
    page = desktop_page
    page.goto("/accounts/login/?next=/opendata/publish/")
    page.fill("#id_username", "jongno-data")
    page.fill("#id_password", "correct-horse-battery")
    page.click("#login-submit")
    page.wait_for_url("**/accounts/second-factor/**")
    page.fill("#id_code", totp_now(district_publisher))
    page.click("#totp-submit")
    page.wait_for_url("**/opendata/publish/")

    page.fill("#name", "jongno-public-parking")
    page.fill("#title_ko", "종로구 공영주차장을 한눈에")
    page.fill("#description_ko", "종로구가 운영하는 공영주차장의 위치와 요금")
    page.select_option("#category", "transport")
    page.fill("#tags", "주차, 교통")
    page.fill("#service_name", "JongnoParkingLots")
    page.click("#create-dataset")
    page.wait_for_url("**/upload/")

    page.set_input_files("#file", str(_csv(tmp_path / "parking.csv")))
    page.click("#upload-submit")
    page.wait_for_url("**/publish/upload/**")
    assert page.inner_text("#report-encoding") == "cp949"
    assert page.inner_text("#report-rows") == "30"
    bad = page.locator("#bad-rows tbody tr")
    assert bad.count() == 2
    assert bad.nth(0).locator("td").nth(0).inner_text() == "7"
    assert bad.nth(1).locator("td").nth(0).inner_text() == "14"
    page.screenshot(path=str(artefacts_dir / "opendata-upload-report.png"), full_page=True)
    page.click("#publish")
    page.wait_for_url("**/opendata/dataset/jongno-public-parking/")

    citizen = phone_page
    citizen.goto("/opendata/")
    citizen.fill("#q", "주차장")
    citizen.click("#search-submit")
    result = citizen.locator("#results a.od-title", has_text="종로구 공영주차장을 한눈에")
    expect(result).to_have_count(1)
    result.click()
    citizen.wait_for_url("**/opendata/dataset/jongno-public-parking/")
    citizen.wait_for_selector("#preview-table tbody tr")
    assert citizen.locator("#preview-table tbody tr").count() == 20
    assert "종로 공영주차장 1" in citizen.inner_text("#preview-table")

    citizen.select_option("#chart-x", "주차장명")
    citizen.select_option("#chart-y", "주차면수")
    citizen.select_option("#chart-func", "sum")
    citizen.click("#chart-draw")
    citizen.wait_for_selector("#chart[data-drawn]")
    assert citizen.locator("#chart .main-svg").count() >= 1
    assert citizen.get_attribute("#chart", "data-drawn") == "30"
    citizen.screenshot(path=str(artefacts_dir / "opendata-dataset-phone.png"), full_page=True)

    with citizen.expect_download() as download:
        citizen.click("#download-csv")
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the page's CSV carries a BOM so Excel reads Korean"
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "주차장명,주소,주차면수,기본요금,위도,경도"
    assert len(text.splitlines()) == 31

    citizen.goto("/accounts/login/?next=/opendata/keys/")
    citizen.fill("#id_username", "minji")
    citizen.fill("#id_password", "correct-horse-battery")
    citizen.click("#login-submit")
    citizen.wait_for_url("**/opendata/keys/")
    citizen.fill("#key-name", "주차 앱 시험")
    citizen.check("label[for=kind-sample]")  # the label is what a person clicks (KRDS draws the radio on it)
    citizen.click("#key-submit")
    raw = citizen.inner_text("#new-key").strip()
    assert raw.startswith("ss_")

    ok = json.loads(citizen.request.get(f"/{raw}/json/JongnoParkingLots/1/5/").text())
    assert ok["JongnoParkingLots"]["RESULT"]["CODE"] == "INFO-000"
    assert len(ok["JongnoParkingLots"]["row"]) == 5
    refused = json.loads(citizen.request.get(f"/{raw}/json/JongnoParkingLots/1/6/").text())
    assert refused == {"RESULT": {"CODE": "ERROR-335", "MESSAGE": refused["RESULT"]["MESSAGE"]}}
    assert "최대 5건" in refused["RESULT"]["MESSAGE"]
    citizen.goto("/opendata/keys/")
    assert citizen.locator("#keys .calls-today").first.inner_text() == "2"
