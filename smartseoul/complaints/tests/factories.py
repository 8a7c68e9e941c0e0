"""Test data for complaints: categories from the demo, images with EXIF, MP4 headers."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from smartseoul.complaints.media import build_mp4


def load_categories() -> list[Any]:
    from smartseoul.complaints import services
    from smartseoul.complaints.demo import CATEGORIES

    out = []
    for spec in CATEGORIES:
        out.append(services.category_upsert(**spec))
        services.routing_build_defaults(category_code=spec["code"])
    return out


def jpeg(
    *, gps: bool = True, taken: str | None = None, size: tuple[int, int] = (640, 480), colour: str = "red"
) -> bytes:
    """A JPEG with EXIF: a GPS position, camera make and (optionally) DateTimeOriginal."""
    img = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Model 1"
    if gps:
        exif[0x8825] = {1: "N", 2: (37.0, 34.0, 25.0), 3: "E", 4: (126.0, 58.0, 44.0)}
    if taken:
        exif[0x0132] = taken
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (200, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="PNG")
    return out.getvalue()


def mp4(seconds: float, **kwargs: Any) -> bytes:
    return build_mp4(seconds, **kwargs)


ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 300
PE_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
