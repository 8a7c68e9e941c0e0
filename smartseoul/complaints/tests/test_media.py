from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from smartseoul.complaints import media
from smartseoul.complaints.errors import ComplaintErrorCode
from smartseoul.complaints.models import ComplaintMedia
from smartseoul.complaints.services import media_upload
from smartseoul.core.errors import DomainError

from .factories import ELF_EXECUTABLE, PE_EXECUTABLE, jpeg, mp4, png, upload


def test_mp4_duration_version_0_and_1() -> None:
    assert media.mp4_duration(mp4(61.5)) == pytest.approx(61.5)
    assert media.mp4_duration(mp4(3600, version=1, timescale=90000)) == pytest.approx(3600)


def test_quicktime_is_recognised() -> None:
    info = media.inspect(mp4(12, brand=b"qt  ")[:300], mp4(12, brand=b"qt  "))
    assert (info.kind, info.content_type, info.duration_s) == ("video", "video/quicktime", pytest.approx(12))


def test_video_without_movie_header_is_refused() -> None:
    data = mp4(10)
    broken = data[: data.index(b"moov") - 4]  # the moov box cut away
    with pytest.raises(media.MediaRefused) as exc:
        media.inspect(broken[:300], broken)
    assert exc.value.code == "media_unreadable"


def test_truncated_mvhd_gives_no_duration() -> None:
    data = mp4(10)
    assert media.mp4_duration(data[:-60]) is None


@pytest.mark.parametrize("payload", [ELF_EXECUTABLE, PE_EXECUTABLE, b"%PDF-1.7\n" + b"0" * 400, b"just text" * 50])
def test_non_media_content_is_refused_whatever_the_name(citizen: Any, payload: bytes) -> None:
    with pytest.raises(DomainError) as exc:
        media_upload(owner=citizen, file=upload(payload, "holiday.jpg"), source="gallery")
    assert exc.value.code == ComplaintErrorCode.MEDIA_TYPE
    assert exc.value.status == 400
    assert ComplaintMedia.objects.count() == 0


def test_truncated_jpeg_is_refused(citizen: Any) -> None:
    data = jpeg()[:400]
    with pytest.raises(DomainError) as exc:
        media_upload(owner=citizen, file=upload(data), source="gallery")
    assert exc.value.code == ComplaintErrorCode.MEDIA_UNREADABLE
    assert ComplaintMedia.objects.count() == 0


def test_oversized_file_is_refused_and_nothing_written(citizen: Any, settings: Any) -> None:
    settings.COMPLAINTS_PHOTO_MAX_BYTES = 2000
    settings.COMPLAINTS_VIDEO_MAX_BYTES = 2000
    big = jpeg(size=(1200, 900))
    assert len(big) > 2000
    with pytest.raises(DomainError) as exc:
        media_upload(owner=citizen, file=upload(big), source="capture")
    assert exc.value.code == ComplaintErrorCode.MEDIA_TOO_LARGE
    assert ComplaintMedia.objects.count() == 0
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_too_long_video_is_refused(citizen: Any, settings: Any) -> None:
    settings.COMPLAINTS_VIDEO_MAX_SECONDS = 120
    with pytest.raises(DomainError) as exc:
        media_upload(owner=citizen, file=upload(mp4(121), "v.mp4", "video/mp4"), source="capture")
    assert exc.value.code == ComplaintErrorCode.VIDEO_TOO_LONG


def test_public_copy_has_no_exif_and_original_keeps_sha256(citizen: Any, settings: Any) -> None:
    data = jpeg(gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the original carries GPS
    row = media_upload(owner=citizen, file=upload(data), source="capture")
    original = Path(settings.PRIVATE_MEDIA_ROOT) / row.private_path
    public = Path(settings.MEDIA_ROOT) / row.public_path
    assert original.read_bytes() == data
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert not str(original).startswith(str(settings.MEDIA_ROOT))
    copy = Image.open(public)
    assert copy.format == "JPEG"
    assert len(copy.getexif()) == 0
    assert "exif" not in copy.info
    assert b"TestCam" not in public.read_bytes() and b"Exif" not in public.read_bytes()


def test_png_gets_a_jpeg_public_copy(citizen: Any, settings: Any) -> None:
    row = media_upload(owner=citizen, file=upload(png(), "screen.png", "image/png"), source="gallery")
    assert row.content_type == "image/png" and row.public_path.endswith(".jpg")
    assert row.captured_at is None and row.source == "gallery"


def test_capture_is_stamped_by_the_server_clock(citizen: Any) -> None:
    from smartseoul.core import clock

    row = media_upload(owner=citizen, file=upload(jpeg()), source="capture")
    assert row.source == "capture"
    assert abs((row.captured_at - clock.now()).total_seconds()) < 5


def test_old_photo_through_the_capture_flow_counts_as_gallery(citizen: Any) -> None:
    row = media_upload(owner=citizen, file=upload(jpeg(taken="2019:05:01 10:00:00")), source="capture")
    assert row.source == "gallery" and row.captured_at is None


def test_unverified_user_cannot_upload(make_user: Any, city: Any) -> None:
    user = make_user(verification=0)
    with pytest.raises(DomainError) as exc:
        media_upload(owner=user, file=upload(jpeg()), source="capture")
    assert exc.value.code == ComplaintErrorCode.VERIFICATION_REQUIRED
