from __future__ import annotations

from typing import Any

import pytest

from smartseoul.complaints.errors import ComplaintErrorCode
from smartseoul.complaints.models import Complaint, ComplaintMedia, StatusChange
from smartseoul.complaints.services import PUBLIC_GRID_M, complaint_submit, media_upload
from smartseoul.complaints.workdays import add_working_days
from smartseoul.core import clock
from smartseoul.core.errors import DomainError
from smartseoul.core.models import Notification
from smartseoul.lib.geo import round_to_grid

from .factories import jpeg, mp4, upload


def _nothing_stored() -> None:
    assert Complaint.objects.count() == 0
    assert StatusChange.objects.count() == 0
    assert Notification.objects.filter(kind__startswith="complaints").count() == 0


def test_submit_routes_by_district_and_category_and_sets_due(citizen: Any, categories: Any, jongno: Any) -> None:
    c = complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "12가3456", "ZONE": "HYDRANT"},
        description="On the hydrant",
    )
    c.refresh_from_db()  # routed by its follow-up task, which the test task backend runs at once
    assert c.district.code == "11110"
    assert c.department.code == "11110-parking"
    assert c.status == "received"
    assert c.due_at == add_working_days(c.created_at, 1)
    assert c.number.startswith(f"{c.created_at.year}-") and len(c.number) >= 11
    assert (c.public_lat, c.public_lon) == round_to_grid(c.lat, c.lon, PUBLIC_GRID_M)  # the public copy is coarse
    assert abs(c.public_lat - c.lat) < 0.0005 and abs(c.public_lon - c.lon) < 0.0006
    assert list(c.history.values_list("to_status", flat=True)) == ["received"]
    received = Notification.objects.filter(recipient=citizen, kind="complaints.received")
    assert {n.channel for n in received} == {"inbox", "sms"}
    assert c.number in received.first().body


def test_noise_goes_to_the_citywide_department(citizen: Any, categories: Any, jongno: Any) -> None:
    c = complaint_submit(reporter=citizen, category_code="NOISE-01", lat=jongno[0], lon=jongno[1])
    c.refresh_from_db()
    assert c.department.code == "seoul-environment"


def test_outside_the_city_is_refused_and_nothing_stored(citizen: Any, categories: Any) -> None:
    from django.utils import translation

    with pytest.raises(DomainError) as exc, translation.override("en"):
        complaint_submit(reporter=citizen, category_code="ROAD-01", lat=35.1796, lon=129.0756)  # Busan
    assert exc.value.code == ComplaintErrorCode.OUTSIDE_CITY
    assert exc.value.status == 400
    assert "outside the city" in exc.value.message
    _nothing_stored()


def test_media_stay_unattached_when_the_report_is_refused(citizen: Any, categories: Any) -> None:
    photo = media_upload(owner=citizen, file=upload(jpeg()), source="capture")
    with pytest.raises(DomainError):
        complaint_submit(reporter=citizen, category_code="ROAD-01", lat=35.18, lon=129.07, media_ids=[photo.pk])
    photo.refresh_from_db()
    assert photo.complaint_id is None
    _nothing_stored()


def test_unverified_citizen_cannot_report(make_user: Any, categories: Any, jongno: Any) -> None:
    user = make_user(verification=0)
    with pytest.raises(DomainError) as exc:
        complaint_submit(reporter=user, category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    assert exc.value.code == ComplaintErrorCode.VERIFICATION_REQUIRED and exc.value.status == 403
    _nothing_stored()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"category_code": "NOPE"}, ComplaintErrorCode.UNKNOWN_CATEGORY),
        ({"category_code": "PARK-01", "attributes": {"ZONE": "HYDRANT"}}, ComplaintErrorCode.MISSING_ATTRIBUTE),
        ({"category_code": "PARK-01", "attributes": {"PLATE": "1", "ZONE": "MOON"}}, ComplaintErrorCode.BAD_ATTRIBUTE),
        ({"category_code": "ROAD-01", "description": "x" * 4001}, ComplaintErrorCode.DESCRIPTION_TOO_LONG),
        ({"category_code": "ROAD-01", "lat": None, "lon": None}, ComplaintErrorCode.NO_LOCATION),
        (
            {"category_code": "ROAD-01", "lat": None, "lon": None, "address": "Atlantis 1"},
            ComplaintErrorCode.NO_LOCATION,
        ),
    ],
)
def test_bad_input_is_refused_with_a_code(citizen: Any, categories: Any, jongno: Any, kwargs: Any, code: str) -> None:
    args = {"lat": jongno[0], "lon": jongno[1], **kwargs}
    with pytest.raises(DomainError) as exc:
        complaint_submit(reporter=citizen, **args)
    assert exc.value.code == code
    _nothing_stored()


def test_address_text_is_a_fallback(citizen: Any, categories: Any) -> None:
    c = complaint_submit(reporter=citizen, category_code="WASTE-01", address="Mapo-gu, near the station")
    assert c.district.code == "11440"
    assert c.address == "Mapo-gu, near the station"


def test_html_is_stripped_from_the_description(citizen: Any, categories: Any, jongno: Any) -> None:
    c = complaint_submit(
        reporter=citizen,
        category_code="ROAD-01",
        lat=jongno[0],
        lon=jongno[1],
        description="<script>alert(1)</script>Hole <b>here</b>",
    )
    assert "<" not in c.description and "Hole here" in c.description


def test_per_user_rate_limit(citizen: Any, categories: Any, jongno: Any, settings: Any) -> None:
    settings.COMPLAINTS_SUBMIT_PER_HOUR = 2
    for _ in range(2):
        complaint_submit(reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    with pytest.raises(DomainError) as exc:
        complaint_submit(reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    assert exc.value.status == 429
    assert Complaint.objects.count() == 2


def test_per_ip_rate_limit(make_user: Any, categories: Any, jongno: Any, settings: Any) -> None:
    settings.COMPLAINTS_SUBMIT_PER_IP_HOUR = 3
    for _ in range(3):
        complaint_submit(
            reporter=make_user(), category_code="ROAD-01", lat=jongno[0], lon=jongno[1], client_ip="203.0.113.7"
        )
    with pytest.raises(DomainError) as exc:
        complaint_submit(
            reporter=make_user(), category_code="ROAD-01", lat=jongno[0], lon=jongno[1], client_ip="203.0.113.7"
        )
    assert exc.value.status == 429


def _capture(citizen: Any, seconds_later: float = 0) -> ComplaintMedia:
    if seconds_later:
        clock.advance(seconds_later)
    return media_upload(owner=citizen, file=upload(jpeg()), source="capture")


def _park(citizen: Any, jongno: Any, media: list[ComplaintMedia]) -> Complaint:
    return complaint_submit(
        reporter=citizen,
        category_code="PARK-01",
        lat=jongno[0],
        lon=jongno[1],
        attributes={"PLATE": "12가3456", "ZONE": "CROSSWALK"},
        media_ids=[m.pk for m in media],
    )


def test_two_captures_61_seconds_apart_allow_a_fine(citizen: Any, categories: Any, jongno: Any) -> None:
    media = [_capture(citizen), _capture(citizen, 61)]
    c = _park(citizen, jongno, media)
    assert c.fine_without_visit
    assert c.media.count() == 2
    body = Notification.objects.filter(kind="complaints.received", channel="inbox").latest("id").body
    assert "현장 확인 없이 과태료" in body  # the citizen's language (Korean by default)


def test_captures_59_seconds_apart_do_not(citizen: Any, categories: Any, jongno: Any) -> None:
    c = _park(citizen, jongno, [_capture(citizen), _capture(citizen, 59)])
    assert not c.fine_without_visit


def test_gallery_photos_do_not_count(citizen: Any, categories: Any, jongno: Any) -> None:
    first = media_upload(owner=citizen, file=upload(jpeg()), source="gallery")
    clock.advance(120)
    second = media_upload(owner=citizen, file=upload(jpeg()), source="gallery")
    assert not _park(citizen, jongno, [first, second]).fine_without_visit


def test_a_one_minute_video_allows_a_fine(citizen: Any, categories: Any, jongno: Any) -> None:
    video = media_upload(owner=citizen, file=upload(mp4(60), "v.mp4", "video/mp4"), source="capture")
    assert _park(citizen, jongno, [video]).fine_without_visit
    short = media_upload(owner=citizen, file=upload(mp4(59), "v.mp4", "video/mp4"), source="capture")
    assert not _park(citizen, jongno, [short]).fine_without_visit


def test_the_fine_rule_applies_to_parking_only(citizen: Any, categories: Any, jongno: Any) -> None:
    media = [_capture(citizen), _capture(citizen, 90)]
    c = complaint_submit(
        reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1], media_ids=[m.pk for m in media]
    )
    assert not c.fine_without_visit


def test_at_most_three_photos_and_one_video(citizen: Any, categories: Any, jongno: Any) -> None:
    photos = [_capture(citizen) for _ in range(4)]
    with pytest.raises(DomainError) as exc:
        complaint_submit(
            reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1], media_ids=[m.pk for m in photos]
        )
    assert exc.value.code == ComplaintErrorCode.TOO_MANY_PHOTOS
    videos = [
        media_upload(owner=citizen, file=upload(mp4(5), "v.mp4", "video/mp4"), source="capture") for _ in range(2)
    ]
    with pytest.raises(DomainError) as exc:
        complaint_submit(
            reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1], media_ids=[m.pk for m in videos]
        )
    assert exc.value.code == ComplaintErrorCode.TOO_MANY_VIDEOS
    _nothing_stored()


def test_someone_elses_upload_cannot_be_attached(citizen: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    other = make_user()
    photo = media_upload(owner=other, file=upload(jpeg()), source="capture")
    with pytest.raises(DomainError) as exc:
        complaint_submit(reporter=citizen, category_code="ROAD-01", lat=jongno[0], lon=jongno[1], media_ids=[photo.pk])
    assert exc.value.code == ComplaintErrorCode.MEDIA_NOT_FOUND


def test_nearby_open_reports_are_found(citizen: Any, make_user: Any, categories: Any, jongno: Any) -> None:
    from smartseoul.complaints.selectors import nearby_open

    near = complaint_submit(reporter=make_user(), category_code="ROAD-01", lat=jongno[0] + 0.0005, lon=jongno[1])
    complaint_submit(reporter=make_user(), category_code="ROAD-01", lat=jongno[0] + 0.003, lon=jongno[1])  # ~330 m
    complaint_submit(reporter=make_user(), category_code="LIGHT-01", lat=jongno[0], lon=jongno[1])
    old = complaint_submit(reporter=make_user(), category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    Complaint.objects.filter(pk=old.pk).update(created_at=clock.now() - __import__("datetime").timedelta(days=31))
    found = nearby_open(category_code="ROAD-01", lat=jongno[0], lon=jongno[1])
    assert [c.pk for c, _ in found] == [near.pk]
    assert 50 < found[0][1] < 60
