"""The hostile-input catalogue: what an attacker sends, and what the platform must do with it.

- Uploads (complaint photos and videos, Democracy Seoul attachments, theme-map photos, budget
  project photos, open-data tables) of a JPEG/HTML polyglot, an SVG with script, decompression
  bombs, an empty file, files whose name lies and an oversized video: each refused with a clear
  message in the person's language (HTTP 4xx and an error code on APIs, a form error on pages), and
  nothing stored (no row, no file left in MEDIA_ROOT, PRIVATE_MEDIA_ROOT or the datastore).
- Text (script tags, `<img onerror>`, `javascript:` links, a right-to-left override, zero-width
  characters, a 10,000-character word) in every free-text field a citizen writes: stored as text
  (or refused with a clear error where a length limit applies) and shown escaped on the pages.
- CSV and XLSX exports: cells that a spreadsheet would run as formulas are guarded.
- Open redirects: `next=` never leads off the site.
- In Chromium: the pages and map popups that show such text run no script, get no injected
  element and do not overflow a phone's screen.

Every case is its own test id.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from conftest import reseed_data_migrations, sign_in
from smartseoul.complaints.media import build_mp4
from smartseoul.core import clock

HANGUL = re.compile(r"[\uac00-\ud7a3]")
KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
CITY_HALL = (37.5663, 126.9779)


# --- hostile files ---------------------------------------------------------------------------------


def _jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#3a7").save(out, format="JPEG")
    return out.getvalue()


@cache
def _png_bomb() -> bytes:
    """A 12,000 × 12,000 picture (144 megapixels) in a small PNG: under Pillow's own hard limit,
    so only a pixel check before decoding stops it from taking gigabytes once converted."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache
def _jpeg_bomb() -> bytes:
    """A small JPEG whose frame header claims 10,000 × 10,000 pixels."""
    data = bytearray(_jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 10_000, 10_000)  # height, width after length and precision
    return bytes(data)


POLYGLOT = _jpeg() + b"<html><body><script>window.__pwned=1</script></body></html>"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1">'
       b"<script>window.__pwned=1</script></svg>")
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>window.__pwned=1</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


@dataclass(frozen=True)
class Hostile:
    name: str
    data: Callable[[], bytes]
    content_type: str


FILES = {
    "polyglot-jpeg-html": Hostile("photo.jpg", lambda: POLYGLOT, "image/jpeg"),
    "svg-with-script": Hostile("map.svg", lambda: SVG, "image/svg+xml"),
    "png-bomb": Hostile("big.png", _png_bomb, "image/png"),
    "jpeg-bomb": Hostile("big.jpg", _jpeg_bomb, "image/jpeg"),
    "empty-file": Hostile("photo.jpg", lambda: b"", "image/jpeg"),
    "pdf-named-jpg": Hostile("photo.jpg", lambda: PDF, "image/jpeg"),
    "html-named-jpg": Hostile("photo.jpg", lambda: HTML, "image/jpeg"),
    "exe-named-jpg": Hostile("photo.jpg", lambda: EXE, "image/jpeg"),
    "jpeg-named-html": Hostile("page.html", _jpeg, "text/html"),
    "oversized-video": Hostile("clip.mp4", lambda: build_mp4(20) + b"\x00" * (1_200_000), "video/mp4"),
}


def _file(kind: str) -> SimpleUploadedFile:
    f = FILES[kind]
    return SimpleUploadedFile(f.name, f.data(), content_type=f.content_type)


def _stored_files() -> set[Path]:
    found: set[Path] = set()
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, settings.LAKE_DIR):
        base = Path(root)
        if base.exists():
            found |= {p for p in base.rglob("*") if p.is_file()}
    return found


def _assert_korean_message(message: str) -> None:
    assert message and HANGUL.search(message), f"no message in the reader's language: {message!r}"


# --- upload routes ---------------------------------------------------------------------------------
# Each route: which hostile files apply, how to send one, how to count what it stores.


@pytest.fixture
def complaint_citizen(city: Any, make_user: Any) -> Any:
    from smartseoul.complaints.tests.factories import load_categories

    load_categories()
    return make_user("reporter", district="11110")


def _complaints_page(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    user = request.getfixturevalue("complaint_citizen")
    response = sign_in(client, user).post(reverse("complaints:media-upload"),
                                          {"file": _file(kind), "source": "gallery"}, **KO)
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def _complaints_api(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    user = request.getfixturevalue("complaint_citizen")
    response = sign_in(client, user).post("/api/v1/complaints/media", {"file": _file(kind), "source": "gallery"},
                                          **KO)
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def _complaints_report_form(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    from smartseoul.core.models import District

    user = request.getfixturevalue("complaint_citizen")
    d = District.objects.get(code="11110")
    response = sign_in(client, user).post(reverse("complaints:new"), {
        "category": "NOISE-01", "lat": d.centroid_lat, "lon": d.centroid_lon, "description": "밤마다 공사 소음",
        "files": [_file(kind)],
    }, **KO)
    html = response.content.decode()
    match = re.search(r'class="[^"]*error[^"]*"[^>]*data-code="([^"]+)"[^>]*>(.*?)<', html, re.S)
    if match:
        return response.status_code, match.group(1), match.group(2)
    return response.status_code, "", _page_error(html)


def _page_error(html: str) -> str:
    """The text of the form's error block(s) on a page."""
    parts = re.findall(r'<(?:ul|p|div|li)[^>]*class="[^"]*(?:errorlist|error)[^"]*"[^>]*>(.*?)</(?:ul|p|div|li)>',
                       html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", p).strip() for p in parts)


def _complaint_rows() -> int:
    from smartseoul.complaints.models import Complaint, ComplaintMedia

    return ComplaintMedia.objects.count() + Complaint.objects.count()


@pytest.fixture
def proposer(city: Any, make_user: Any) -> Any:
    return make_user("proposer", district="11110")


def _democracy_page(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    user = request.getfixturevalue("proposer")
    response = sign_in(client, user).post(reverse("democracy:new"), {
        "title": "경로당 냉방비 지원", "problem": "폭염 때 냉방비 부담이 큽니다.",
        "solution": "냉방비를 지원해 주세요.", "category": "welfare", "district": "11110", "files": [_file(kind)],
    }, **KO)
    return response.status_code, "", _page_error(response.content.decode())


def _democracy_rows() -> int:
    from smartseoul.democracy.models import Attachment, Proposal

    return Proposal.objects.count() + Attachment.objects.count()


@pytest.fixture
def theme_draft(city: Any, make_user: Any) -> Any:
    from smartseoul.dashboard import services

    author = make_user("mapper", district="11110")
    return author, services.theme_map_create(author=author, title_ko="우리 동네 쉼터")


def _theme_page(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    author, theme = request.getfixturevalue("theme_draft")
    response = sign_in(client, author).post(reverse("dashboard:theme-point-add", args=[theme.pk]), {
        "title": "시원한 쉼터", "lat": CITY_HALL[0], "lon": CITY_HALL[1], "photo": _file(kind),
    }, **KO)
    return response.status_code, "", _page_error(response.content.decode())


def _theme_rows() -> int:
    from smartseoul.dashboard.models import ThemePoint

    return ThemePoint.objects.count()


@pytest.fixture
def budget_cycle(city: Any, make_user: Any) -> Any:
    """A participatory-budget cycle open for proposals, with one proposal in it."""
    from smartseoul.budget import services

    admin = make_user("budget-admin", role="city_admin", verification=3)
    now = clock.now()
    dates = services.CycleDates(
        submission_opens=now - timedelta(days=50), submission_closes=now - timedelta(days=40),
        review_closes=now - timedelta(days=30), deliberation_closes=now - timedelta(days=20),
        vote_opens=now - timedelta(days=10), vote_closes=now + timedelta(days=10),
    )
    cycle = services.cycle_create(actor=admin, slug="2026", year=2026, name_ko="2026 시민참여예산",
                                  total_amount=10_000_000_000, dates=dates, rule="greedy", vote_method="approval")
    services.envelope_create(actor=admin, cycle_id=cycle.pk, kind="citywide", amount=1_000_000_000,
                             district_code="", proposal_type="", name_ko="시 전체")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase="submission")
    project = services.project_submit(
        user=make_user(district="11110"), cycle_id=cycle.pk, proposal_type="broad",
        title="공원 그늘막", summary="공원에 그늘막을 설치합니다", requested_cost=50_000_000,
    )
    return cycle, project


@pytest.fixture
def funded_project(budget_cycle: Any, make_user: Any) -> Any:
    """A funded project being built, and the budget official who reports its progress. The cycle
    is moved straight to implementation: what matters here is the photo, not the vote."""
    from smartseoul.budget.models import Cycle, Project

    cycle, project = budget_cycle
    Cycle.objects.filter(pk=cycle.pk).update(phase="implementation")
    Project.objects.filter(pk=project.pk).update(status="funded")
    official = make_user("budget-official", role="official", department="11110-parking", verification=3)
    return official, Project.objects.get(pk=project.pk)


def _budget_update(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    """The official's progress report with a photo: the service every route (page and API) uses."""
    from smartseoul.budget import services
    from smartseoul.core.errors import DomainError

    official, project = request.getfixturevalue("funded_project")
    try:
        services.implementation_update_add(actor=official, project_id=project.pk, status="in_progress", progress=10,
                                           note="착공", photo=_file(kind))
    except DomainError as exc:
        return exc.status, exc.code, exc.message
    return 200, "", ""


def _budget_rows() -> int:
    from smartseoul.budget.models import ImplementationUpdate

    return ImplementationUpdate.objects.count()


@pytest.fixture
def od_dataset(city: Any, make_user: Any) -> Any:
    from smartseoul.opendata import services

    org = services.organization_ensure(name="jongno-gu", title_ko="서울특별시 종로구", title_en="Jongno-gu",
                                       kind="district", district_code="11110")
    publisher = make_user("publisher", role="official", department="11110-parking", capabilities=("publisher",))
    ds = services.dataset_create(actor=publisher, organization=org, name="jongno-parking", title_ko="종로구 주차장",
                                 description_ko="주차장", category="transport", tags=["주차"])
    return publisher, ds


def _opendata_page(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    publisher, ds = request.getfixturevalue("od_dataset")
    f = _table_file(kind)
    response = sign_in(client, publisher).post(reverse("opendata:upload", args=[ds.name]), {"file": f}, **KO)
    return response.status_code, "", _page_error(response.content.decode())


def _ckan_api(client: Any, request: Any, kind: str) -> tuple[int, str, str]:
    from smartseoul.accounts.services import api_key_create

    publisher, ds = request.getfixturevalue("od_dataset")
    _key, raw = api_key_create(owner=publisher, name="upload", scopes=["opendata:read", "opendata:write"],
                               **_second_factor_kw())
    response = client.post("/api/3/action/resource_create", {"package_id": ds.name, "upload": _table_file(kind)},
                           HTTP_AUTHORIZATION=raw, **KO)
    body = response.json()
    assert body["success"] is False
    return response.status_code, body["error"].get("__type", ""), json.dumps(body["error"], ensure_ascii=False)


def _second_factor_kw() -> dict[str, Any]:
    import inspect

    from smartseoul.accounts.services import api_key_create

    return {"second_factor": True} if "second_factor" in inspect.signature(api_key_create).parameters else {}


TABLE_FILES = {
    "html-named-csv": ("data.csv", HTML),
    "exe-named-csv": ("data.csv", EXE),
    "pdf-named-xlsx": ("data.xlsx", PDF),
    "svg-with-script": ("map.svg", SVG),
    "empty-file": ("data.csv", b""),
}


def _table_file(kind: str) -> SimpleUploadedFile:
    name, data = TABLE_FILES[kind]
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _opendata_rows() -> int:
    from smartseoul.opendata.models import Resource, Upload

    return Upload.objects.count() + Resource.objects.count()


IMAGE_CASES = ["polyglot-jpeg-html", "svg-with-script", "png-bomb", "jpeg-bomb", "empty-file", "pdf-named-jpg",
               "html-named-jpg", "exe-named-jpg", "jpeg-named-html"]
UPLOAD_ROUTES: dict[str, tuple[Callable[..., tuple[int, str, str]], Callable[[], int], list[str], bool]] = {
    # route: (send, rows, hostile files, JSON error with a code)
    "complaints-page": (_complaints_page, _complaint_rows, [*IMAGE_CASES, "oversized-video"], True),
    "complaints-api": (_complaints_api, _complaint_rows, [*IMAGE_CASES, "oversized-video"], True),
    "complaints-report-form": (_complaints_report_form, _complaint_rows,
                               ["polyglot-jpeg-html", "svg-with-script", "png-bomb", "pdf-named-jpg",
                                "oversized-video"], False),
    "democracy-page": (_democracy_page, _democracy_rows,
                       ["polyglot-jpeg-html", "svg-with-script", "png-bomb", "jpeg-bomb", "empty-file",
                        "pdf-named-jpg", "html-named-jpg", "jpeg-named-html"], False),
    "theme-map-page": (_theme_page, _theme_rows,
                       ["polyglot-jpeg-html", "svg-with-script", "png-bomb", "jpeg-bomb", "empty-file",
                        "pdf-named-jpg", "html-named-jpg"], False),
    "budget-update": (_budget_update, _budget_rows,
                      ["polyglot-jpeg-html", "svg-with-script", "png-bomb", "jpeg-bomb", "pdf-named-jpg"], True),
    "opendata-page": (_opendata_page, _opendata_rows, list(TABLE_FILES), False),
    "ckan-api": (_ckan_api, _opendata_rows, ["html-named-csv", "empty-file", "svg-with-script"], False),
}
UPLOAD_CASES = [pytest.param(route, kind, id=f"upload-{route}-{kind}")
                for route, (_s, _r, kinds, _j) in UPLOAD_ROUTES.items() for kind in kinds]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "kind"), UPLOAD_CASES)
def test_hostile_upload_is_refused_clearly_and_nothing_is_stored(
    route: str, kind: str, client: Any, request: Any, settings: Any,
) -> None:
    send, rows, _kinds, coded = UPLOAD_ROUTES[route]
    settings.COMPLAINTS_VIDEO_MAX_BYTES = 1_000_000  # the oversized video is just over this
    sender = request.getfixturevalue  # fixtures first, so their own rows and files are the baseline
    {"complaints": lambda: sender("complaint_citizen"), "democracy": lambda: sender("proposer"),
     "theme": lambda: sender("theme_draft"), "budget": lambda: sender("funded_project"),
     "opendata": lambda: sender("od_dataset"), "ckan": lambda: sender("od_dataset")}[route.split("-")[0]]()
    rows_before, files_before = rows(), _stored_files()

    status, code, message = send(client, request, kind)

    assert 400 <= status < 500 or (status == 200 and not coded), f"{route} answered {status} to {kind}"
    if coded:
        assert code, "an API refusal carries an error code"
    _assert_korean_message(message)
    assert rows() == rows_before, "a refused upload left a row"
    assert _stored_files() == files_before, f"a refused upload left files: {_stored_files() - files_before}"


# --- text: every free-text field a citizen writes --------------------------------------------------

LONG_WORD = "W" * 10_000
PAYLOADS = {
    "script-tag": "<script>window.__pwned=1</script>",
    "img-onerror": '<img src=x onerror="window.__pwned=1">',
    "javascript-link": '<a href="javascript:window.__pwned=1">click me</a>',
    "rtl-override": "report\u202egpj.exe about the broken lamp",
    "zero-width": "zero\u200bwidth\u200c\u200djoiners\ufeff here",
    "long-word": LONG_WORD,
}
ATTACK_MARKERS = ("<script>window.__pwned", "<img src=x onerror", 'href="javascript:', "onerror=\"window.__pwned")


@dataclass
class Written:
    """What a surface did with the text: stored (the stored value and the pages showing it) or
    refused (the status and the message shown)."""

    stored: str | None
    pages: list[str]
    status: int = 200
    message: str = ""


def _write_complaint(client: Any, request: Any, text: str) -> Written:
    from smartseoul.complaints.models import Complaint
    from smartseoul.core.models import District

    user = request.getfixturevalue("complaint_citizen")
    d = District.objects.get(code="11110")
    response = sign_in(client, user).post(reverse("complaints:new"), {
        "category": "NOISE-01", "lat": d.centroid_lat, "lon": d.centroid_lon, "description": text,
        "address": text[:300],
    }, **KO)
    c = Complaint.objects.first()
    if c is None:
        return Written(None, [], response.status_code, _page_error(response.content.decode()))
    return Written(c.description, [reverse("complaints:report", args=[c.number])])


def _write_proposal(client: Any, request: Any, text: str) -> Written:
    from smartseoul.democracy.models import Proposal

    user = request.getfixturevalue("proposer")
    title = text if len(text) <= 150 else "아주 긴 낱말"
    response = sign_in(client, user).post(reverse("democracy:new"), {
        "title": f"{title} ·", "problem": text, "solution": f"해결: {text}"[:10_000], "category": "welfare",
        "district": "11110",
    }, **KO)
    p = Proposal.objects.first()
    if p is None:
        return Written(None, [], response.status_code, _page_error(response.content.decode()))
    return Written(p.problem, [reverse("democracy:proposal", args=[p.pk]), reverse("democracy:index")])


def _write_comment(client: Any, request: Any, text: str) -> Written:
    from smartseoul.democracy import services
    from smartseoul.democracy.models import Comment

    user = request.getfixturevalue("proposer")
    p = services.proposal_create(author=user, title="경로당 냉방비 지원", problem="폭염 때 냉방비 부담이 큽니다.",
                                 solution="냉방비를 지원해 주세요.", category="welfare", district_code="11110")
    response = sign_in(client, user).post(reverse("democracy:comment", args=[p.pk]), {"body": text}, **KO,
                                          follow=True)
    c = Comment.objects.first()
    if c is None:
        messages = [str(m) for m in response.context["messages"]]
        return Written(None, [], 400 if messages else response.status_code, " ".join(messages))
    return Written(c.body, [reverse("democracy:proposal", args=[p.pk])])


def _write_vote(client: Any, request: Any, text: str) -> Written:
    from smartseoul.core.errors import DomainError
    from smartseoul.voting import services
    from smartseoul.voting.models import Vote

    user = request.getfixturevalue("proposer")
    moderator = request.getfixturevalue("make_user")("moderator", capabilities=("moderator",))
    now = clock.now()
    try:
        vote = services.vote_create(
            owner=user, kind="general", title=text if len(text) <= 200 else "긴 낱말 질문", description=text,
            options=[{"text": text}, {"text": "반대"}], ballot_type="single", opens_at=now,
            closes_at=now + timedelta(days=7),
        )
    except DomainError as exc:
        assert not Vote.objects.exists()
        return Written(None, [], exc.status, exc.message)
    services.vote_moderate(vote_id=vote.pk, actor=moderator, approve=True)
    return Written(vote.description, [reverse("voting:detail", args=[vote.pk]), reverse("voting:list")])


def _write_budget(client: Any, request: Any, text: str) -> Written:
    from smartseoul.budget.models import Project

    cycle, project = request.getfixturevalue("budget_cycle")
    proposer = project.proposer
    response = sign_in(client, proposer).post(reverse("budget:propose", args=[cycle.slug]), {
        "proposal_type": "broad", "title": text if len(text) <= 200 else "긴 낱말 제안",
        "summary": text if 10 <= len(text) <= 500 else "아주 긴 낱말이 들어 있는 제안입니다",
        "description": text, "requested_cost": 30_000_000,
    }, **KO)
    created = Project.objects.exclude(pk=project.pk).first()
    if created is None:
        return Written(None, [], response.status_code, _page_error(response.content.decode()))
    return Written(created.description, [reverse("budget:project", args=[created.code])])


def _write_theme_place(client: Any, request: Any, text: str) -> Written:
    from smartseoul.dashboard import services
    from smartseoul.dashboard.models import ThemePoint

    author, theme = request.getfixturevalue("theme_draft")
    moderator = request.getfixturevalue("make_user")("moderator", capabilities=("moderator",))
    response = sign_in(client, author).post(reverse("dashboard:theme-point-add", args=[theme.pk]), {
        "title": text if len(text) <= 120 else "긴 낱말", "description": text,
        "lat": CITY_HALL[0], "lon": CITY_HALL[1],
    }, **KO)
    point = ThemePoint.objects.first()
    if point is None:
        return Written(None, [], response.status_code, _page_error(response.content.decode()))
    services.theme_map_submit(theme=theme, author=author)
    services.theme_map_publish(theme=theme, moderator=moderator)
    around = (f"{reverse('dashboard:around-results')}?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}"
              f"&radius=500&layer=theme-{theme.pk}")
    return Written(point.description, [reverse("dashboard:theme", args=[theme.pk]), around])


def _write_data_request(client: Any, request: Any, text: str) -> Written:
    from smartseoul.core.models import Department
    from smartseoul.opendata.models import DataRequest

    user = request.getfixturevalue("proposer")
    department = Department.objects.filter(district=None).order_by("code").first()
    assert department is not None
    response = sign_in(client, user).post(reverse("opendata:requests"), {
        "title": text, "description": text, "category": "transport", "department": department.code,
        "purpose": text,
    }, **KO)
    req = DataRequest.objects.first()
    if req is None:
        return Written(None, [], response.status_code, _page_error(response.content.decode()))
    return Written(req.description, [reverse("opendata:request", args=[req.uid]), reverse("opendata:requests")])


TEXT_SURFACES: dict[str, Callable[[Any, Any, str], Written]] = {
    "complaint-report": _write_complaint,
    "democracy-proposal": _write_proposal,
    "democracy-comment": _write_comment,
    "mvoting-question": _write_vote,
    "budget-proposal": _write_budget,
    "theme-map-place": _write_theme_place,
    "dataset-request": _write_data_request,
}
# Where a length limit applies, a 10,000-character word is refused with a clear error instead.
LIMITED = {("complaint-report", "long-word"), ("democracy-comment", "long-word"), ("theme-map-place", "long-word"),
           ("mvoting-question", "long-word")}
TEXT_CASES = [pytest.param(surface, payload, id=f"text-{surface}-{payload}")
              for surface in TEXT_SURFACES for payload in PAYLOADS]


@pytest.mark.django_db
@pytest.mark.parametrize(("surface", "payload"), TEXT_CASES)
def test_hostile_text_is_stored_as_text_and_shown_escaped(
    surface: str, payload: str, client: Any, request: Any,
) -> None:
    text = PAYLOADS[payload]
    written = TEXT_SURFACES[surface](client, request, text)
    if (surface, payload) in LIMITED:
        assert written.stored is None, f"{surface} stored a {len(text)}-character word past its limit"
        assert 200 <= written.status < 500
        _assert_korean_message(written.message)
        return
    assert written.stored is not None, f"{surface} refused {payload}: {written.status} {written.message}"
    if surface == "complaint-report":  # reports keep their words and drop markup
        assert "<" not in written.stored and (payload not in ("rtl-override", "zero-width") or written.stored == text)
    else:
        assert written.stored == text, "the text is stored exactly as written"
    client.logout()
    for i, url in enumerate(written.pages):  # the item's own page first, then lists that show excerpts
        response = client.get(url, **KO)
        assert response.status_code == 200, url
        html = response.content.decode()
        for marker in ATTACK_MARKERS:
            assert marker not in html, f"{url} renders {marker!r} as markup"
        if i > 0:
            continue
        if payload in ("script-tag", "img-onerror", "javascript-link") and surface != "complaint-report":
            assert escape(text) in html, f"{url} does not show the text (escaped)"
        elif payload in ("rtl-override", "zero-width", "long-word"):
            assert escape(written.stored) in html, f"{url} does not show the text as written"


# --- CSV and XLSX exports ----------------------------------------------------------------------------

FORMULA_CELLS = {
    "equals": ('=HYPERLINK("https://evil.example","click")', True),
    "plus": ("+cmd|' /C calc'!A0", True),
    "minus": ("-2+3+cmd|' /C calc'!A0", True),
    "at": ("@SUM(A1:A9)", True),
    "tab": ("\t=1+1", True),
    "carriage-return": ("\r=1+1", True),
    "plain-text": ("종로구 공영주차장", False),
    "inner-equals": ("a=b", False),
}


@pytest.mark.parametrize(
    ("value", "guarded"), list(FORMULA_CELLS.values()), ids=[f"csv-cell-{k}" for k in FORMULA_CELLS]
)
def test_csv_cell_that_could_start_a_formula_is_guarded(value: str, guarded: bool) -> None:
    from smartseoul.lib import spreadsheet

    assert spreadsheet.cell(value) == ("'" + value if guarded else value)
    assert spreadsheet.cell(spreadsheet.cell(value)) == spreadsheet.cell(value), "guarding twice changes nothing"


@pytest.mark.parametrize("number", [-3.5, 42, 0], ids=["csv-number-negative", "csv-number-int", "csv-number-zero"])
def test_csv_numbers_stay_numbers(number: float) -> None:
    from smartseoul.lib import spreadsheet

    assert spreadsheet.cell(number) == number


@pytest.fixture
def formula_dataset(city: Any, make_user: Any, tmp_path: Path) -> Any:
    """A published dataset whose text column holds formulas and whose numeric column negative numbers."""
    from smartseoul.opendata import services

    org = services.organization_ensure(name="jongno-gu", title_ko="서울특별시 종로구", title_en="Jongno-gu",
                                       kind="district", district_code="11110")
    publisher = make_user("publisher", role="official", department="11110-parking", capabilities=("publisher",))
    ds = services.dataset_create(actor=publisher, organization=org, name="formula-test", title_ko="수식 시험",
                                 description_ko="수식", category="transport", tags=["시험"])
    source = tmp_path / "cells.csv"
    source.write_text('name,change\n"=HYPERLINK(""https://evil.example"")",-3.5\n"@SUM(A1)",2.25\nplain,-1\n',
                      encoding="utf-8")
    upload = services.upload_stage(actor=publisher, dataset=ds, file=source, original_name="cells.csv")
    assert upload.status == "validated", upload.report
    res = services.upload_publish(actor=publisher, upload=upload, resource_name="cells")
    ds.refresh_from_db()
    return ds, res


def _download(client: Any, ds: Any, res: Any, fmt: str) -> bytes:
    from smartseoul.opendata.models import Resource

    res = Resource.objects.get(pk=res.pk)
    response = client.get(f"/dataset/{ds.name}/resource/{res.uid}/download/cells.{fmt}")
    if response.status_code == 404:
        response = client.get(f"/opendata/dataset/{ds.name}/resource/{res.uid}/download/cells.{fmt}")
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_dataset_csv_download_guards_text_and_keeps_numbers(client: Any, formula_dataset: Any) -> None:
    ds, res = formula_dataset
    rows = list(csv.reader(io.StringIO(_download(client, ds, res, "csv").decode("utf-8-sig"))))
    assert rows[0] == ["name", "change"]
    assert rows[1] == ["'=HYPERLINK(\"https://evil.example\")", "-3.5"]
    assert rows[2] == ["'@SUM(A1)", "2.25"]
    assert rows[3] == ["plain", "-1.0"] or rows[3] == ["plain", "-1"]


@pytest.mark.django_db
def test_dataset_xlsx_download_stores_formula_text_as_text(client: Any, formula_dataset: Any) -> None:
    from openpyxl import load_workbook

    ds, res = formula_dataset
    sheet = load_workbook(io.BytesIO(_download(client, ds, res, "xlsx"))).worksheets[0]
    assert sheet["A2"].value == '=HYPERLINK("https://evil.example")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -3.5 and sheet["B2"].data_type == "n"


@pytest.mark.django_db
def test_ckan_datastore_csv_guards_text(client: Any, formula_dataset: Any) -> None:
    _ds, res = formula_dataset
    response = client.get("/api/3/action/datastore_search", {"resource_id": str(res.uid), "records_format": "csv"})
    assert response.status_code == 200
    records = response.json()["result"]["records"]
    assert "'=HYPERLINK" in records and "\n=HYPERLINK" not in records and ",=HYPERLINK" not in records
    assert "-3.5" in records


@pytest.mark.django_db
def test_seoul_openapi_xlsx_stores_formula_text_as_text(client: Any, formula_dataset: Any) -> None:
    """The Seoul-style OpenAPI's spreadsheet output (when the dataset has a service name)."""
    from openpyxl import load_workbook

    from smartseoul.opendata import seoulapi

    wb_response = seoulapi._render("xls", "FormulaTest", 1, [{"name": "=1+1", "change": -3.5}])
    sheet = load_workbook(io.BytesIO(wb_response.content)).worksheets[0]
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -3.5


@pytest.mark.django_db
def test_audit_log_csv_guards_what_people_wrote(client: Any, city: Any, make_user: Any) -> None:
    from smartseoul.core.services import audit_record

    auditor = make_user("auditor", role="auditor", verification=3)
    audit_record(actor=None, action="complaints.note", target_id="@evil", details={"note": "\t=cmd"})
    body = b"".join(sign_in(client, auditor).get(reverse("core:audit-log-csv")).streaming_content).decode()
    row = next(r for r in csv.reader(io.StringIO(body)) if "@evil" in "".join(r))
    assert row[4] == "'@evil"
    assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row)


# --- open redirects --------------------------------------------------------------------------------

EVIL_TARGETS = {
    "protocol-relative": "//evil.example",
    "absolute": "https://evil.example",
    "slash-backslash": "/\\evil.example",
    "javascript": "javascript:alert(1)",
    "backslashes": "\\\\evil",
    "triple-slash": "///evil.example",
    "tab-in-scheme": "/\t/evil.example",
    "header-split": "/ok\r\nLocation: https://evil.example",
}


@pytest.mark.parametrize("target", list(EVIL_TARGETS.values()), ids=[f"redirect-helper-{k}" for k in EVIL_TARGETS])
def test_redirect_helper_refuses_off_site_targets(target: str) -> None:
    from smartseoul.core.redirects import local_path

    assert local_path(target) is None


def test_redirect_helper_keeps_on_site_paths() -> None:
    from smartseoul.core.redirects import local_path

    for target in ("/", "/democracy/p/1/", "/complaints/office/?district=11110&status=received"):
        assert local_path(target) == target


def _location(response: Any) -> str:
    return response.headers.get("Location", "")


def _off_site(location: str) -> bool:
    return not location.startswith("/") or location.startswith(("//", "/\\")) or "evil" in location


@pytest.mark.django_db
@pytest.mark.parametrize("target", list(EVIL_TARGETS.values()), ids=[f"redirect-login-{k}" for k in EVIL_TARGETS])
def test_sign_in_never_sends_anyone_off_site(target: str, client: Any, city: Any, make_user: Any) -> None:
    make_user("walker")
    from html import unescape

    from smartseoul.core.redirects import local_path

    page = client.get(reverse("accounts:login"), {"next": target})
    assert page.status_code == 200
    carried = [unescape(v) for v in re.findall(r'name="next" value="([^"]*)"', page.content.decode())]
    assert carried and all(v == "" or local_path(v) == v for v in carried), carried  # on-site paths only
    response = client.post(f"{reverse('accounts:login')}?next=", {
        "username": "walker", "password": "correct-horse-battery", "next": target,
    })
    assert response.status_code == 302
    assert not _off_site(_location(response)), _location(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "javascript:alert(1)"],
                         ids=["redirect-democracy-report-protocol-relative", "redirect-democracy-report-absolute",
                              "redirect-democracy-report-javascript"])
def test_democracy_report_returns_on_site(target: str, client: Any, request: Any) -> None:
    from smartseoul.democracy import services

    user = request.getfixturevalue("proposer")
    p = services.proposal_create(author=user, title="경로당 냉방비 지원", problem="폭염 때 냉방비 부담이 큽니다.",
                                 solution="냉방비를 지원해 주세요.", category="welfare", district_code="11110")
    response = sign_in(client, user).post(reverse("democracy:report", args=["proposal", p.pk]),
                                          {"reason": "spam", "next": target})
    assert response.status_code == 302 and not _off_site(_location(response)), _location(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"],
                         ids=["redirect-office-bulk-protocol-relative", "redirect-office-bulk-absolute",
                              "redirect-office-bulk-slash-backslash"])
def test_complaints_office_returns_on_site(target: str, client: Any, city: Any, official: Any) -> None:
    response = sign_in(client, official).post(reverse("complaints:office-bulk"), {"next": target, "action": "none"})
    assert response.status_code in (302, 400, 403)
    if response.status_code == 302:
        assert not _off_site(_location(response)), _location(response)


@pytest.mark.django_db
def test_sign_in_links_carry_the_page_url_encoded(client: Any, city: Any) -> None:
    """A page that sends a signed-out person to sign in passes its own address, URL-encoded."""
    response = client.get(reverse("complaints:new"))
    assert response.status_code == 302
    assert _location(response) == f"{reverse('accounts:login')}?next=%2Fcomplaints%2Fnew%2F"


# --- in the browser --------------------------------------------------------------------------------

BROWSER_TEXT = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
                '<a href="javascript:window.__pwned=1">x</a> \u202eexe.gpj \u200b')


def _hostile(limit: int) -> str:
    """The browser payload padded with one long word up to `limit` characters (cut to fit)."""
    return (BROWSER_TEXT + "W" * limit)[:limit]


def _watch(page: Any) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _assert_inert(page: Any, dialogs: list[str], where: str) -> None:
    assert page.evaluate("() => window.__pwned") is None, f"a script ran on {where}"
    assert not dialogs, f"a dialog opened on {where}: {dialogs}"
    assert page.locator("img[onerror]").count() == 0, f"an <img onerror> was injected on {where}"
    assert page.locator('a[href^="javascript:"]').count() == 0, f"a javascript: link was injected on {where}"
    injected = page.evaluate(  # data islands (application/json) may carry the text; no runnable script may
        "() => [...document.scripts].some(s => !/json/.test(s.type) && s.textContent.includes('__pwned'))")
    assert not injected, f"a script element with the payload was injected on {where}"
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where} is wider than the phone ({width[0]} > {width[1]} px)"


def _open_popup(page: Any, map_id: str, where: str) -> None:
    selector = f"#{map_id} path.around-item" if map_id == "around-map" else f"#{map_id} path.leaflet-interactive"
    page.wait_for_function(f"() => document.querySelectorAll('{selector}').length > 0")
    page.locator(selector).first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("img, script, a[href^='javascript:']").count() == 0, f"markup injected in the {where} popup"
    assert "<script>window.__pwned=1</script>" in popup.inner_text(), f"the {where} popup lost the text"
    fits = page.evaluate(
        "() => { const c = document.querySelector('.leaflet-popup-content');"
        " return c.scrollWidth <= c.clientWidth + 1 && c.getBoundingClientRect().right <= innerWidth; }"
    )
    assert fits, f"the long word overflows the {where} popup"


@pytest.fixture
def hostile_theme(transactional_db: Any) -> Any:
    """A published theme map whose place is named and described with the browser payload."""
    from smartseoul.accounts.models import Role, User
    from smartseoul.core.demo import load_core_demo
    from smartseoul.dashboard import services

    reseed_data_migrations()
    load_core_demo()
    author = User.objects.create_user("mapper", password="correct-horse-battery")
    moderator = User.objects.create_user("moderator", password="correct-horse-battery")
    moderator.role = Role.CITIZEN
    moderator.save()
    from smartseoul.accounts.services import user_grant_capability

    user_grant_capability(user=moderator, capability="moderator")
    theme = services.theme_map_create(author=author, title_ko="쉼터 지도")
    services.theme_point_add(theme=theme, author=author, title=_hostile(120), description=_hostile(1000),
                             lat=CITY_HALL[0], lon=CITY_HALL[1])
    services.theme_map_submit(theme=theme, author=author)
    services.theme_map_publish(theme=theme, moderator=moderator)
    return theme


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["theme-page", "around-me", "smart-seoul-map"],
                         ids=["browser-theme-map-popup", "browser-around-me-popup", "browser-smart-seoul-map-popup"])
def test_browser_map_popups_show_hostile_names_as_text(where: str, phone_page: Any, hostile_theme: Any) -> None:
    page = phone_page
    dialogs = _watch(page)
    key = f"theme-{hostile_theme.pk}"
    if where == "theme-page":
        page.goto(reverse("dashboard:theme", args=[hostile_theme.pk]))
        map_id = "theme-map"
    elif where == "around-me":
        page.goto(f"{reverse('dashboard:around')}?lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&radius=500&layer={key}")
        page.wait_for_function("() => Number(document.getElementById('around-map').dataset.markers) > 0")
        map_id = "around-map"
    else:
        page.goto(f"{reverse('dashboard:map')}?layers={key}&lat={CITY_HALL[0]}&lon={CITY_HALL[1]}&z=16")
        map_id = "map"
    page.wait_for_load_state("networkidle")
    _assert_inert(page, dialogs, where)
    _open_popup(page, map_id, where)
    _assert_inert(page, dialogs, f"{where} with its popup open")


def _browser_pages() -> Iterator[Any]:
    yield pytest.param("democracy-proposal", id="browser-democracy-proposal-page")
    yield pytest.param("dataset-request", id="browser-dataset-request-page")
    yield pytest.param("complaint-report", id="browser-complaint-report-page")
    yield pytest.param("mvoting-question", id="browser-mvoting-page")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("surface", list(_browser_pages()))
def test_browser_pages_show_hostile_text_as_text(surface: str, phone_page: Any) -> None:
    from smartseoul.accounts.models import User, Verification
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.models import Department, District

    reseed_data_migrations()
    load_core_demo()
    user = User.objects.create_user("writer", password="correct-horse-battery")
    user.verification = Verification.PHONE
    user.home_district = District.objects.get(code="11110")
    user.save()
    if surface == "democracy-proposal":
        from smartseoul.democracy import services as democracy

        p = democracy.proposal_create(author=user, title=_hostile(150), problem=_hostile(10_000),
                                      solution=_hostile(2000), category="welfare", district_code="11110")
        democracy.comment_add(proposal_id=p.pk, author=user, body=_hostile(3000))
        url = reverse("democracy:proposal", args=[p.pk])
    elif surface == "dataset-request":
        from smartseoul.opendata import services as opendata

        department = Department.objects.filter(district=None).order_by("code").first()
        assert department is not None
        req = opendata.data_request_create(requester=user, title=_hostile(200), description=_hostile(10_000),
                                           category="transport", department_code=department.code,
                                           purpose=_hostile(300))
        url = reverse("opendata:request", args=[req.uid])
    elif surface == "complaint-report":
        from smartseoul.complaints import services as complaints
        from smartseoul.complaints.tests.factories import load_categories

        load_categories()
        d = District.objects.get(code="11110")
        c = complaints.complaint_submit(reporter=user, category_code="NOISE-01", lat=d.centroid_lat,
                                        lon=d.centroid_lon, description=_hostile(4000), address=_hostile(300))
        url = reverse("complaints:report", args=[c.number])
    else:
        from smartseoul.voting import services as voting

        moderator = User.objects.create_user("moderator", password="correct-horse-battery")
        from smartseoul.accounts.services import user_grant_capability

        user_grant_capability(user=moderator, capability="moderator")
        now = clock.now()
        vote = voting.vote_create(owner=user, kind="general", title=_hostile(200), description=_hostile(10_000),
                                  options=[{"text": _hostile(300)}, {"text": "반대"}], ballot_type="single",
                                  opens_at=now, closes_at=now + timedelta(days=7))
        voting.vote_moderate(vote_id=vote.pk, actor=moderator, approve=True)
        url = reverse("voting:detail", args=[vote.pk])
    page = phone_page
    dialogs = _watch(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    shown = "window.__pwned=1" if surface == "complaint-report" else "<script>window.__pwned=1</script>"
    assert shown in page.locator("main").inner_text(), "the text is not shown"  # reports drop markup, keep words
    _assert_inert(page, dialogs, surface)
