"""The budget proposal form as a person uses it (issue 16, defect 8): a district select with names,
a map pin filling hidden latitude/longitude, a search for the adopted Democracy Seoul proposal,
and what each of the six proposal types means — in Korean and English. Bad input is explained at
the field it concerns, and nothing is stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape

from smartseoul.budget import services
from smartseoul.budget.models import Project, ProposalType

pytestmark = pytest.mark.django_db

# what each proposal type means, as a person reads it on the form: (Korean, English)
TYPE_TEXTS = {
    "broad": (
        "서울시 전체나 여러 자치구에 걸친 사업을 시민이 직접 제안합니다. 시 부서가 검토하고 시민 투표로 정합니다.",
        "A project you propose for the whole city or across several districts; a city department reviews it "
        "and citizens vote on it.",
    ),
    "district": (
        "한 자치구의 사업을 구청과 주민이 함께 계획합니다. 그 구의 예산 봉투에서 지원합니다.",
        "A project for one district (gu), planned with the district office and its residents; it is funded "
        "from that district's envelope.",
    ),
    "cooperative": (
        "서울시 부서가 시민사회·전문가와 함께 기획하고 추진하는 사업으로, 여러 해에 걸쳐 진행되기도 합니다.",
        "A project that the city's departments plan and carry out together with civil-society groups and "
        "experts, often over several years.",
    ),
    "democracy": (
        "민주주의 서울에서 채택된 시민 제안을 예산 사업으로 실행합니다. 아래에서 그 제안을 찾아 고르세요.",
        "Turns a proposal adopted on Democracy Seoul into a budget project: find and choose that proposal below.",
    ),
    "local": (
        "한 동의 사업을 주민자치회가 주민과 함께 계획합니다.",
        "A project for one neighbourhood (dong), planned by its residents' self-governing council together "
        "with the residents.",
    ),
    "deliberation": (
        "시가 내놓은 정책 과제를 시민 숙의단이 토론한 뒤 제안하는 사업입니다.",
        "A project proposed after citizens deliberate in a citizens' panel on a policy question the city puts to them.",
    ),
}


@pytest.fixture
def open_cycle(make_cycle: Any, budget_admin: Any) -> Any:
    cycle = make_cycle(
        "open",
        envelopes=[
            ("citywide", 1_000_000_000, "", ""),
            ("district", 500_000_000, "11110", ""),
            ("type", 500_000_000, "", "democracy"),
        ],
    )
    services.cycle_advance(actor=budget_admin, cycle_id=cycle.pk, to_phase="submission")
    return cycle


@pytest.fixture
def citizen_client(client: Any, city: Any, make_user: Any) -> Any:
    client.force_login(make_user(district="11110"))
    return client


def _form(**values: Any) -> dict[str, Any]:
    data = {
        "proposal_type": "broad",
        "title": "골목길 쉼터 의자",
        "summary": "어르신이 쉬어 갈 의자를 골목에 놓습니다.",
        "requested_cost": "150000000",
        "district_code": "",
        "lat": "",
        "lon": "",
        "democracy_proposal_id": "",
    }
    data.update(values)
    return data


def test_the_form_has_a_district_select_a_map_and_explains_the_six_types(citizen_client: Any, open_cycle: Any) -> None:
    html = citizen_client.get(f"/budget/{open_cycle.slug}/propose/").content.decode()
    select = re.search(r'<select name="district_code"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, "the district is chosen from a list, not typed as a code"
    assert '<option value="11110">종로구</option>' in select.group(1)
    assert select.group(1).count("<option") == 26  # 25 districts and "choose"
    assert 'id="pick-map"' in html and 'type="hidden" name="lat"' in html and 'type="hidden" name="lon"' in html
    assert 'type="hidden" name="democracy_proposal_id"' in html and 'id="democracy-search"' in html
    assert 'data-search-url="/api/v1/democracy/adopted"' in html
    assert set(TYPE_TEXTS) == set(ProposalType.values)
    with translation.override("ko"):
        for ptype, (korean, _english) in TYPE_TEXTS.items():
            assert escape(korean) in html
            assert str(ProposalType(ptype).label) in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html.replace('type="application/json"', "src")), (
        "no inline script (strict CSP)"
    )
    assert "budget/propose.js" in html and "vendor/leaflet/leaflet.js" in html


def test_the_form_reads_in_english(client: Any, make_user: Any, open_cycle: Any) -> None:
    client.force_login(make_user())
    client.cookies["django_language"] = "en"
    html = client.get(f"/budget/{open_cycle.slug}/propose/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="11110">Jongno-gu</option>' in html
    for _korean, english in TYPE_TEXTS.values():
        assert escape(english) in html
    assert not re.search(
        r"[\uac00-\ud7a3]",
        re.sub(r"<option[^>]*>[^<]*</option>", "", html)
        .split("<main")[1]
        .split("</main>")[0]
        .replace(open_cycle.name_ko, ""),
    ), "no Korean interface text on the English page"


def test_a_pin_on_the_map_places_the_proposal(citizen_client: Any, open_cycle: Any) -> None:
    from smartseoul.core.selectors import district_by_code

    jongno = district_by_code("11110")
    lat, lon = round(jongno.centroid_lat, 6), round(jongno.centroid_lon, 6)
    # the pin wins over a district chosen from the list before
    r = citizen_client.post(
        f"/budget/{open_cycle.slug}/propose/",
        _form(proposal_type="district", lat=str(lat), lon=str(lon), district_code="11680"),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Project.objects.get(cycle=open_cycle)
    assert (p.district_code, p.lat, p.lon) == ("11110", lat, lon) and p.neighborhood_code
    assert "종로구" in citizen_client.get(r["Location"]).content.decode()


def test_a_district_from_the_list_places_a_district_proposal(citizen_client: Any, open_cycle: Any) -> None:
    r = citizen_client.post(f"/budget/{open_cycle.slug}/propose/", _form(proposal_type="local", district_code="11110"))
    assert r.status_code == 302
    assert Project.objects.get(cycle=open_cycle).district_code == "11110"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"proposal_type": "district"}, "구 단위·동 단위 제안에는 장소가 필요합니다"),
        ({"requested_cost": "1억"}, "사업비는 원 단위 숫자로 적어 주세요"),
        ({"proposal_type": ""}, "제안 유형을 골라 주세요"),
        ({"district_code": "99999"}, "올바르게 선택해 주세요"),  # Django's own "select a valid choice"
        ({"lat": "37.57"}, "지도에 찍은 위치를 읽지 못했습니다"),
        ({"lat": "35.1796", "lon": "129.0756"}, "서울시 밖의 위치입니다"),  # Busan
        ({"proposal_type": "democracy"}, "민주주의 서울 채택 제안을 검색해서 골라 주세요"),
        ({"proposal_type": "democracy", "democracy_proposal_id": "4242"}, "채택된"),
    ],
    ids=[
        "no-place",
        "cost-not-a-number",
        "no-type",
        "unknown-district",
        "half-a-pin",
        "outside-the-city",
        "no-democracy-proposal",
        "not-adopted",
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(
    citizen_client: Any, open_cycle: Any, values: dict[str, str], message: str
) -> None:
    r = citizen_client.post(f"/budget/{open_cycle.slug}/propose/", _form(**values))
    html = r.content.decode()
    assert r.status_code == 400
    assert message in html, re.findall(r'class="(?:error|msg error)"[^>]*>(.*?)<', html)
    assert not Project.objects.filter(cycle=open_cycle).exists()


def test_the_democracy_seoul_search_finds_and_links_the_adopted_proposal(citizen_client: Any, open_cycle: Any) -> None:
    from smartseoul.accounts.demo import load_demo_accounts
    from smartseoul.democracy.demo import load_demo

    load_demo_accounts()
    load_demo()
    found = citizen_client.get("/api/v1/democracy/adopted", {"q": "버스정류장 그늘막", "limit": 10}).json()
    assert [p["title"] for p in found] == ["폭염 때 버스정류장 그늘막 늘리기"]
    assert citizen_client.get("/api/v1/democracy/adopted", {"q": "지하철"}).json() == []
    chosen = found[0]
    r = citizen_client.post(
        f"/budget/{open_cycle.slug}/propose/", _form(proposal_type="democracy", democracy_proposal_id=str(chosen["id"]))
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Project.objects.get(cycle=open_cycle)
    assert p.democracy_proposal_id == chosen["id"]
    page = citizen_client.get(r["Location"]).content.decode()
    assert f'href="{chosen["url"]}"' in page and chosen["title"] in page
    # a changed mind: the chosen proposal is not kept when the type is not a Democracy Seoul connection
    r = citizen_client.post(
        f"/budget/{open_cycle.slug}/propose/", _form(title="다른 제안 제목", democracy_proposal_id=str(chosen["id"]))
    )
    assert r.status_code == 302
    assert Project.objects.get(title="다른 제안 제목").democracy_proposal_id is None
    # once an official's review links it to a budget project, it cannot be carried out twice
    from smartseoul.accounts.models import User
    from smartseoul.democracy.services import proposal_link_budget

    proposal_link_budget(proposal_id=chosen["id"], budget_reference=p.code, actor=User.objects.get(username="mayor"))
    r = citizen_client.post(
        f"/budget/{open_cycle.slug}/propose/",
        _form(title="세 번째 제안 제목", proposal_type="democracy", democracy_proposal_id=str(chosen["id"])),
    )
    assert r.status_code == 400 and "이미 다른 예산 사업으로 실행되고 있습니다" in r.content.decode()
    assert not Project.objects.filter(title="세 번째 제안 제목").exists()
