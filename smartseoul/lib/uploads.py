"""Checks for files people upload, by content and never by the name alone.

Every module that takes a photo, video or document calls these before it stores anything:

- `check_bytes`: an empty file is refused;
- `check_name`: a file whose name claims one kind of file (`.jpg`, `.pdf`, `.mp4`, …) while its
  bytes are another kind, or whose name is a page or program (`.html`, `.svg`, `.exe`, …), is
  refused — a file that lies about itself is not what the person meant to send;
- `contains_markup`: HTML or script inside a photo or document (a JPEG/HTML or PDF/HTML
  polyglot) is refused, so no stored file can turn into a page if a browser ever sniffs it;
- `check_image`: only JPEG, PNG and WebP (so never SVG, which can carry script); the pixel count
  is checked from the header before any pixel is decoded, so a decompression bomb (a small file
  that claims a huge picture) is refused without the memory it asks for;
- `check_pdf`: a PDF that carries JavaScript or a launch action is refused;
- `check_table`: a data file named .csv/.tsv/.txt must be text (not an image, a program, a
  document or a web page), one named .xlsx/.xlsm must be a workbook.

Each refusal is an `UploadRefused` with a `code` (one of the `CODE_*` names); the module turns it
into its own error with a message in the person's language.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from PIL import Image, UnidentifiedImageError

CODE_EMPTY = "empty"
CODE_TYPE = "type_not_allowed"
CODE_NAME = "name_mismatch"
CODE_MARKUP = "markup"
CODE_UNREADABLE = "unreadable"
CODE_PIXELS = "too_many_pixels"

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/x-m4v": "m4v"}
PDF_TYPES = {"application/pdf": "pdf"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is larger than any phone takes

# What a file name's extension claims the file is.
_EXTENSION_KIND = {
    **dict.fromkeys(
        ("jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "bmp", "tif", "tiff", "heic", "heif"), "image"
    ),
    **dict.fromkeys(("mp4", "m4v", "mov", "qt", "3gp", "webm", "avi", "mkv"), "video"),
    "pdf": "pdf",
}
# Names that are pages, scripts or programs: never accepted, whatever the bytes are.
BLOCKED_EXTENSIONS = frozenset({
    "html", "htm", "xhtml", "shtml", "xht", "svg", "svgz", "xml", "xsl", "js", "mjs", "hta", "swf",
    "exe", "com", "bat", "cmd", "scr", "msi", "dll", "ps1", "vbs", "sh", "php", "jsp", "asp", "aspx", "jar",
})

_MARKUP = re.compile(
    rb"<(?:script|html|body|head|iframe|frame|svg|object|embed|img|meta|link|style|form|base|!doctype\s+html)[\s/>]"
    rb"|javascript:|vbscript:|\son(?:error|load|click|mouseover|focus)\s*=",
    re.IGNORECASE,
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|RichMedia)\b")


class UploadRefused(ValueError):
    """The file is refused; `code` says why (one of the CODE_* names)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class ImageFacts:
    mime: str
    extension: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The media type the bytes say they are (magic numbers), or None."""
    kind = filetype.guess(data[:8192]) if data else None
    return kind.mime if kind is not None else None


def check_bytes(data: bytes) -> None:
    if not data:
        raise UploadRefused(CODE_EMPTY, "the file is empty")


def kind_of(mime: str | None) -> str | None:
    if mime in IMAGE_TYPES or (mime or "").startswith("image/"):
        return "image"
    if mime in VIDEO_TYPES or (mime or "").startswith("video/"):
        return "video"
    if mime in PDF_TYPES:
        return "pdf"
    return None


def extension(name: str) -> str:
    suffix = PurePosixPath((name or "").replace("\\", "/")).suffix
    return suffix.lower().lstrip(".")


def check_name(name: str, mime: str | None) -> None:
    """Refuses a name that is a page or program, or that claims another kind than the bytes."""
    ext = extension(name)
    if not ext:
        return
    if ext in BLOCKED_EXTENSIONS:
        raise UploadRefused(CODE_NAME, f".{ext} files are not accepted")
    claimed = _EXTENSION_KIND.get(ext)
    if claimed is not None and claimed != kind_of(mime):
        raise UploadRefused(CODE_NAME, f"the name says .{ext} but the file is {mime or 'something else'}")


def contains_markup(data: bytes) -> bool:
    """True if HTML or script appears anywhere in the bytes."""
    return _MARKUP.search(data) is not None


def check_image(data: bytes, *, name: str = "", max_pixels: int = MAX_PIXELS) -> ImageFacts:
    """A JPEG, PNG or WebP photo that decodes, within `max_pixels`, with nothing else inside."""
    check_bytes(data)
    mime = sniff(data)
    if mime not in IMAGE_TYPES:
        raise UploadRefused(CODE_TYPE, f"not a JPEG, PNG or WebP image ({mime or 'unknown'})")
    check_name(name, mime)
    if contains_markup(data):
        raise UploadRefused(CODE_MARKUP, "the image carries HTML or script")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise UploadRefused(CODE_PIXELS, f"{width}×{height} pixels is more than {max_pixels}")
                img.load()  # decodes fully: a truncated or disguised file fails here
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(CODE_PIXELS, str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UploadRefused(CODE_UNREADABLE, str(exc)) from exc
    return ImageFacts(mime, IMAGE_TYPES[mime], width, height)


def check_pdf(data: bytes, *, name: str = "") -> None:
    """A PDF document without script, launch actions or HTML inside."""
    check_bytes(data)
    mime = sniff(data)
    if mime not in PDF_TYPES:
        raise UploadRefused(CODE_TYPE, f"not a PDF document ({mime or 'unknown'})")
    check_name(name, mime)
    if contains_markup(data) or _PDF_ACTIVE.search(data):
        raise UploadRefused(CODE_MARKUP, "the document carries script")


TABLE_TEXT_EXTENSIONS = frozenset({"csv", "tsv", "txt"})
TABLE_BOOK_EXTENSIONS = frozenset({"xlsx", "xlsm"})
_WORKBOOK_TYPES = {"application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_PAGE_START = re.compile(rb"\s*<(?:!doctype\s+html|html|head|body|script|svg|\?xml|iframe)[\s/>]", re.IGNORECASE)


def check_table(head: bytes, *, name: str) -> None:
    """A table upload's first bytes agree with its name: text for .csv/.tsv/.txt (and not a web
    page), a ZIP workbook for .xlsx/.xlsm."""
    check_bytes(head)
    ext = extension(name)
    mime = sniff(head)
    if ext in TABLE_BOOK_EXTENSIONS:
        if mime not in _WORKBOOK_TYPES:
            raise UploadRefused(CODE_NAME, f"the name says .{ext} but the file is {mime or 'text'}")
        return
    if mime is not None:
        raise UploadRefused(CODE_NAME, f"the name says .{ext} but the file is {mime}")
    if _PAGE_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        raise UploadRefused(CODE_MARKUP, "the file is a web page, not a table")
