"""Theme maps: citizens propose, moderators publish or return; photos lose their EXIF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from smartseoul.core.errors import InvalidInput, PermissionDenied, RateLimited
from smartseoul.core.models import AuditEvent, Notification
from smartseoul.dashboard import services
from smartseoul.dashboard.errors import DashboardConflict, DashboardInvalid
from smartseoul.dashboard.models import ThemeMap, ThemePoint, ThemeStatus

CITY_HALL = (37.5663, 126.9779)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "#3a7")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 58.0), 3: "E", 4: (126.0, 58.0, 40.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def draft(citizen):
    theme = services.theme_map_create(author=citizen, title_ko="우리 동네 무더위 쉼터", description="시원한 곳")
    return theme


def test_lifecycle_propose_submit_publish(draft, citizen, moderator):
    for i in range(3):
        services.theme_point_add(theme=draft, author=citizen, title=f"쉼터 {i}", lat=CITY_HALL[0] + i / 500,
                                 lon=CITY_HALL[1])
    submitted = services.theme_map_submit(theme=draft, author=citizen)
    assert submitted.status == ThemeStatus.PENDING
    published = services.theme_map_publish(theme=draft, moderator=moderator)
    assert published.status == ThemeStatus.PUBLISHED and published.moderated_by == moderator
    assert AuditEvent.objects.filter(action="dashboard.theme_publish", target_id=str(draft.pk)).exists()
    assert Notification.objects.filter(recipient=citizen, kind="dashboard.theme_published").exists()
    assert all(draft.points.values_list("district_code", flat=True))


def test_point_outside_the_city_is_refused_and_nothing_is_stored(draft, citizen):
    with pytest.raises(InvalidInput) as info:
        services.theme_point_add(theme=draft, author=citizen, title="인천", lat=37.4563, lon=126.7052)
    assert info.value.code == "outside_city"
    assert ThemePoint.objects.count() == 0


def test_only_the_author_edits(draft, make_user):
    other = make_user("other")
    with pytest.raises(PermissionDenied):
        services.theme_point_add(theme=draft, author=other, title="x", lat=CITY_HALL[0], lon=CITY_HALL[1])


def test_submit_needs_a_point(draft, citizen):
    with pytest.raises(DashboardInvalid) as info:
        services.theme_map_submit(theme=draft, author=citizen)
    assert info.value.code == "theme_has_no_points"
    assert ThemeMap.objects.get().status == ThemeStatus.DRAFT


def test_only_moderators_publish(draft, citizen):
    services.theme_point_add(theme=draft, author=citizen, title="a", lat=CITY_HALL[0], lon=CITY_HALL[1])
    services.theme_map_submit(theme=draft, author=citizen)
    with pytest.raises(PermissionDenied) as info:
        services.theme_map_publish(theme=draft, moderator=citizen)
    assert info.value.code == "not_moderator"
    assert ThemeMap.objects.get().status == ThemeStatus.PENDING


def test_pending_map_cannot_be_edited_and_draft_cannot_be_published_by_others(draft, citizen, moderator):
    services.theme_point_add(theme=draft, author=citizen, title="a", lat=CITY_HALL[0], lon=CITY_HALL[1])
    with pytest.raises(DashboardConflict):
        services.theme_map_publish(theme=draft, moderator=moderator)  # still a draft, not the moderator's own
    services.theme_map_submit(theme=draft, author=citizen)
    with pytest.raises(DashboardConflict):
        services.theme_point_add(theme=draft, author=citizen, title="b", lat=CITY_HALL[0], lon=CITY_HALL[1])


def test_reject_sends_it_back_with_a_reason_and_it_can_be_resubmitted(draft, citizen, moderator):
    services.theme_point_add(theme=draft, author=citizen, title="a", lat=CITY_HALL[0], lon=CITY_HALL[1])
    services.theme_map_submit(theme=draft, author=citizen)
    with pytest.raises(DashboardInvalid):
        services.theme_map_reject(theme=draft, moderator=moderator, note="  ")
    rejected = services.theme_map_reject(theme=draft, moderator=moderator, note="사진을 추가해 주세요")
    assert rejected.status == ThemeStatus.REJECTED and rejected.moderation_note == "사진을 추가해 주세요"
    services.theme_point_add(theme=draft, author=citizen, title="b", lat=CITY_HALL[0], lon=CITY_HALL[1])
    assert services.theme_map_submit(theme=draft, author=citizen).status == ThemeStatus.PENDING


def test_moderator_publishes_own_map_directly(moderator):
    theme = services.theme_map_create(author=moderator, title_ko="둘레길")
    services.theme_point_add(theme=theme, author=moderator, title="a", lat=CITY_HALL[0], lon=CITY_HALL[1])
    assert services.theme_map_publish(theme=theme, moderator=moderator).status == ThemeStatus.PUBLISHED


def test_photo_is_stored_without_exif(draft, citizen):
    point = services.theme_point_add(theme=draft, author=citizen, title="사진", lat=CITY_HALL[0], lon=CITY_HALL[1],
                                     photo=io.BytesIO(_jpeg_with_gps()))
    stored = Path(settings.MEDIA_ROOT) / point.photo
    with Image.open(stored) as image:
        assert not image.getexif()
    assert b"PhoneMaker" not in stored.read_bytes()


def test_bad_photo_is_refused_and_nothing_is_stored(draft, citizen):
    with pytest.raises(DashboardInvalid) as info:
        services.theme_point_add(theme=draft, author=citizen, title="x", lat=CITY_HALL[0], lon=CITY_HALL[1],
                                 photo=io.BytesIO(b"%PDF-1.4 not an image"))
    assert info.value.code == "bad_photo" and ThemePoint.objects.count() == 0


@pytest.mark.parametrize(("title", "color"), [("", "#b3261e"), ("x" * 121, "#b3261e"), ("ok", "red")])
def test_bad_theme_input_is_refused(citizen, title, color):
    with pytest.raises(DashboardInvalid):
        services.theme_map_create(author=citizen, title_ko=title, color=color)
    assert ThemeMap.objects.count() == 0


def test_theme_creation_is_rate_limited(citizen):
    for i in range(20):
        services.theme_map_create(author=citizen, title_ko=f"map {i}")
    with pytest.raises(RateLimited):
        services.theme_map_create(author=citizen, title_ko="one too many")


def test_pages_propose_add_submit_and_moderate(client, citizen, moderator):
    client.force_login(citizen)
    response = client.post("/map/themes/new/", {"title_ko": "오래가게 지도", "description": "노포"})
    theme = ThemeMap.objects.get()
    assert response["Location"] == f"/map/themes/{theme.pk}/"
    response = client.post(f"/map/themes/{theme.pk}/points", {"title": "x", "lat": "37.4563", "lon": "126.7052"})
    assert response.status_code == 400 and "outside" in response.content.decode()
    client.post(f"/map/themes/{theme.pk}/points", {"title": "종로 책방", "lat": "37.5704", "lon": "126.9920"})
    client.post(f"/map/themes/{theme.pk}/submit")
    assert client.post(f"/map/themes/{theme.pk}/publish").status_code == 403
    client.force_login(moderator)
    assert "오래가게 지도" in client.get("/map/moderation/").content.decode()
    client.post(f"/map/themes/{theme.pk}/publish")
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.PUBLISHED


def test_draft_is_private_to_its_author(client, draft, make_user):
    assert client.get(f"/map/themes/{draft.pk}/").status_code == 404
    client.force_login(make_user("stranger"))
    assert client.get(f"/map/themes/{draft.pk}/").status_code == 404
