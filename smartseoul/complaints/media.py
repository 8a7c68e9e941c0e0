"""Checking and copying complaint media, by content and never by file name.

- photos: JPEG, PNG or WebP, decoded with Pillow; the public copy is re-encoded as JPEG from the
  pixels alone, so no EXIF (GPS position, camera serial, time) survives;
- videos: MP4 or QuickTime; the duration comes from the `mvhd` box of the `moov` atom (parsed
  here in pure Python, no ffmpeg). A video whose duration cannot be read is refused;
- neither may carry HTML or script (a JPEG/HTML polyglot), nor a name that claims another kind
  of file (`smartseoul.lib.uploads`).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from datetime import datetime

import filetype
from PIL import Image, ImageOps

from smartseoul.lib import uploads

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/x-m4v": "m4v"}
MAX_PIXELS = uploads.MAX_PIXELS  # refuses decompression bombs long before Pillow's own limit
PUBLIC_MAX_SIDE = 1600
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769


class MediaRefused(ValueError):
    """The file is not an acceptable photo or video; `code` says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # photo | video
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    taken_at: datetime | None = None  # EXIF DateTimeOriginal (camera local time, naive), if any


def inspect(head: bytes, data: bytes, *, name: str = "") -> MediaInfo:
    """Identifies a photo or video from its bytes (`head`: at least the first 261 bytes). `name`
    is the uploaded file's name: one that claims another kind of file than the bytes is refused."""
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime in PHOTO_TYPES or mime in VIDEO_TYPES:
        try:
            uploads.check_name(name, mime)
        except uploads.UploadRefused as exc:
            raise MediaRefused("The file's name does not match what it holds.", "media_name_mismatch") from exc
        if uploads.contains_markup(data):
            raise MediaRefused("The file carries a web page or script inside it.", "media_unsafe")
    if mime in PHOTO_TYPES:
        return _inspect_photo(data, mime)
    if mime in VIDEO_TYPES:
        duration = mp4_duration(data)
        if duration is None:
            raise MediaRefused(
                "The video cannot be read (no duration found). Please record it again.", "media_unreadable"
            )
        return MediaInfo("video", mime, VIDEO_TYPES[mime], duration_s=duration)
    raise MediaRefused(
        "Only photos (JPEG, PNG, WebP) and videos (MP4, MOV) can be attached; this file is neither.",
        "media_type_not_allowed",
    )


def _inspect_photo(data: bytes, mime: str) -> MediaInfo:
    try:
        facts = uploads.check_image(data, max_pixels=MAX_PIXELS)
    except uploads.UploadRefused as exc:
        if exc.code == uploads.CODE_PIXELS:
            raise MediaRefused("The photo has too many pixels.", "media_too_large") from exc
        if exc.code == uploads.CODE_MARKUP:
            raise MediaRefused("The file carries a web page or script inside it.", "media_unsafe") from exc
        raise MediaRefused("The photo cannot be read; it may be damaged.", "media_unreadable") from exc
    with Image.open(io.BytesIO(data)) as img:
        taken_at = _exif_taken_at(img)
    return MediaInfo("photo", mime, PHOTO_TYPES[mime], width=facts.width, height=facts.height, taken_at=taken_at)


def _exif_taken_at(img: Image.Image) -> datetime | None:
    try:
        exif = img.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(0x0132)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def public_photo(data: bytes) -> tuple[bytes, int, int]:
    """A JPEG copy from the pixels only (orientation applied, EXIF and other metadata dropped)."""
    with Image.open(io.BytesIO(data)) as img:
        upright = ImageOps.exif_transpose(img) or img
        rgb = upright.convert("RGB")
    rgb.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), clean.width, clean.height


# --- MP4 / QuickTime -------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between start and end."""
    found: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end:
        size, box_type = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                break
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        found.append((box_type, pos + header, pos + size))
        pos += size
    return found


def mp4_duration(data: bytes) -> float | None:
    """Seconds from the movie header (`moov/mvhd`: timescale and duration), or None."""
    for box_type, start, end in _boxes(data, 0, len(data)):
        if box_type != b"moov":
            continue
        for inner_type, p, inner_end in _boxes(data, start, end):
            if inner_type != b"mvhd":
                continue
            version = data[p] if p < inner_end else None
            try:
                if version == 1:
                    timescale, duration = struct.unpack(">IQ", data[p + 20 : p + 32])
                elif version == 0:
                    timescale, duration = struct.unpack(">II", data[p + 12 : p + 20])
                else:
                    return None
            except struct.error:
                return None
            if timescale == 0 or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                return None
            return duration / timescale
    return None


def build_mp4(duration_s: float, *, timescale: int = 1000, brand: bytes = b"isom", version: int = 0) -> bytes:
    """A minimal MP4 header (ftyp + moov/mvhd) with the given duration; used by tests and the demo."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", brand, 512, brand, brand)
    if version == 1:
        body = struct.pack(">B3xQQIQ", 1, 0, 0, timescale, int(duration_s * timescale)) + b"\x00" * 80
    else:
        body = struct.pack(">B3xIIII", 0, 0, 0, timescale, int(duration_s * timescale)) + b"\x00" * 80
    mvhd = struct.pack(">I4s", 8 + len(body), b"mvhd") + body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    mdat = struct.pack(">I4s", 16, b"mdat") + b"\x00" * 8
    return ftyp + mdat + moov
