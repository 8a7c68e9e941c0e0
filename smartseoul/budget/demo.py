"""Seoul demo data for the participatory budget: a finished cycle (voted through `voting`,
allocated, published, with implementation updates), a cycle in its citizen vote and a cycle
open for proposals. Each step runs at its own past moment, so dates read like a real history.

Idempotent: cycles are found by slug; demo users by user name (unusable passwords)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from smartseoul.accounts.models import Role, User, Verification
from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors

from . import services
from .models import Cycle, EnvelopeKind, ImplementationStatus, Phase, ProposalType

DEMO_PROJECTS: list[tuple[str, str, str, int, float, float]] = [  # the finished 2025 cycle
    # title, summary, type, cost (KRW), lat, lon
    ("청계천 야간 보행등 교체", "청계천 산책로의 어두운 구간에 절전형 보행등을 설치합니다.", ProposalType.BROAD,
     900_000_000, 37.5690, 126.9890),
    ("한강공원 그늘막 확충", "여름철 폭염에 대비해 한강공원 잔디광장에 그늘막을 늘립니다.", ProposalType.BROAD,
     1_200_000_000, 37.5284, 126.9340),
    ("어르신 스마트 경로당", "경로당에 건강측정기와 화상 강의 장비를 보급합니다.", ProposalType.COOPERATIVE,
     700_000_000, 37.5172, 127.0473),
    ("초등학교 통학로 안전펜스", "통학로 보도와 차도 사이에 안전펜스를 설치합니다.", ProposalType.BROAD,
     500_000_000, 37.4837, 127.0324),
    ("공공도서관 야간 열람실", "시험 기간에 공공도서관 열람실을 밤 11시까지 운영합니다.", ProposalType.BROAD,
     400_000_000, 37.5547, 126.9707),
    ("전통시장 장바구니 대여소", "전통시장에 다회용 장바구니 대여소를 만들어 비닐 사용을 줄입니다.", ProposalType.BROAD,
     300_000_000, 37.5700, 127.0100),
    ("종로 골목길 쉼터 의자", "종로구 골목길 곳곳에 어르신 쉼터 의자를 설치합니다.", ProposalType.DISTRICT,
     150_000_000, 37.5730, 126.9794),
    ("종로 마을 공유 텃밭", "빈 공터를 주민 공유 텃밭으로 꾸밉니다.", ProposalType.DISTRICT,
     250_000_000, 37.5800, 126.9700),
    ("종로 어린이 놀이터 그늘", "어린이 놀이터에 그늘막과 음수대를 설치합니다.", ProposalType.DISTRICT,
     350_000_000, 37.5760, 126.9850),
]


VOTE_PROJECTS: list[tuple[str, str, str, int, float, float]] = [  # the 2026 cycle, in its vote
    ("버스정류장 스마트 쉼터", "폭염과 한파에 대비해 냉난방이 되는 스마트 쉼터를 버스정류장에 설치합니다.",
     ProposalType.BROAD, 1_500_000_000, 37.5651, 126.9895),
    ("공원 어린이 물놀이터", "여름철 아이들이 가까이에서 놀 수 있도록 공원에 바닥분수 물놀이터를 만듭니다.",
     ProposalType.BROAD, 1_200_000_000, 37.5443, 127.0374),
    ("자전거도로 끊긴 구간 잇기", "따릉이 이용이 많은 구간의 끊긴 자전거도로를 연결합니다.", ProposalType.BROAD,
     900_000_000, 37.5271, 126.9326),
    ("발달장애인 일자리 카페", "발달장애인이 바리스타로 일하는 공공 카페를 시청 인근에 엽니다.",
     ProposalType.COOPERATIVE, 600_000_000, 37.5663, 126.9779),
    ("어르신 디지털 배움터", "키오스크와 스마트폰 사용법을 배우는 어르신 교실을 운영합니다.", ProposalType.BROAD,
     400_000_000, 37.5172, 127.0473),
    ("종로 골목 보안등 교체", "어두운 골목길 보안등을 밝은 LED로 교체합니다.", ProposalType.DISTRICT,
     300_000_000, 37.5730, 126.9794),
    ("종로 전통시장 공용 화장실", "전통시장에 깨끗한 공용 화장실을 새로 짓습니다.", ProposalType.DISTRICT,
     450_000_000, 37.5700, 127.0010),
    ("종로 어린이 도서관 리모델링", "낡은 어린이 도서관을 아이들이 머물고 싶은 공간으로 고칩니다.",
     ProposalType.DISTRICT, 250_000_000, 37.5800, 126.9700),
]


def _user(username: str, *, role: str = Role.CITIZEN, verification: int = Verification.PHONE,
          district: str | None = None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, verification=verification, is_staff=role != Role.CITIZEN)
        user.set_unusable_password()
        if district:
            user.home_district = core_selectors.district_by_code(district)
        user.save()
    return user


@contextmanager
def _days_ago(days: float) -> Iterator[None]:
    """Runs the block as if it were `days` days ago, so that the demo's history carries real past
    dates (the clock is moved back and then forward again by the same amount)."""
    seconds = days * 86400
    clock.advance(-seconds)
    try:
        yield
    finally:
        clock.advance(seconds)


def load_budget_demo() -> dict[str, int]:
    """Three cycles: 2025 finished (results and implementation), 2026 in its citizen vote (any
    verified visitor can cast a budget ballot), 2027 taking proposals."""
    if core_selectors.city() is None:
        return {"cycles": 0}
    admin = _user("demo-budget-admin", role=Role.CITY_ADMIN, verification=Verification.REAL_NAME)
    official = _user("demo-budget-official", role=Role.OFFICIAL, verification=Verification.REAL_NAME)
    created = 0
    if not Cycle.objects.filter(slug="2025").exists():
        _finished_cycle(admin, official)
        created += 1
    if not Cycle.objects.filter(slug="2026").exists():
        _voting_cycle(admin, official)
        created += 1
    if not Cycle.objects.filter(slug="2027").exists():
        _open_cycle(admin)
        created += 1
    return {"cycles": created}


def _dates(start_days_ago: int, *, length: int = 120) -> services.CycleDates:
    """The schedule of a cycle that started `start_days_ago` days ago and lasts `length` days."""
    start = clock.now() - timedelta(days=start_days_ago)
    at = [round(length * f) for f in (0.25, 0.42, 0.58, 0.75, 1.0)]
    return services.CycleDates(
        submission_opens=start, submission_closes=start + timedelta(days=at[0]),
        review_closes=start + timedelta(days=at[1]), deliberation_closes=start + timedelta(days=at[2]),
        vote_opens=start + timedelta(days=at[3]), vote_closes=start + timedelta(days=at[4]),
    )


def _submit_all(cycle: Cycle, rows: list[tuple[str, str, str, int, float, float]], district: str) -> list[Any]:
    proposers = [_user(f"demo-budget-proposer-{i}") for i in range(1, 4)]
    projects = []
    for i, (title, summary, ptype, cost, lat, lon) in enumerate(rows):
        # district projects name their gu; the others are pinned on the map (the gu follows from the point)
        place: dict[str, Any] = ({"district_code": district} if ptype == ProposalType.DISTRICT
                                 else {"lat": lat, "lon": lon})
        projects.append(services.project_submit(
            user=proposers[i % len(proposers)], cycle_id=cycle.pk, proposal_type=ptype, title=title, summary=summary,
            requested_cost=cost, category="생활환경", **place))
    return projects


def _cast_demo_ballots(cycle: Cycle, voters: range, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311  (demo data, reproducible, not a secret)
    for env in cycle.envelopes.exclude(vote_id=None).order_by("id"):
        codes = list(env.projects.order_by("code").values_list("code", flat=True))
        costs = dict(env.projects.values_list("code", "cost"))
        weights = [9, 7, 5, 8, 4, 3, 6, 2][:len(codes)]
        for i in voters:
            if env.kind == EnvelopeKind.DISTRICT and i % 2:
                continue
            voter = _user(f"demo-budget-voter-{i:03d}", district="11110")
            choice = sorted(set(rng.choices(codes, weights=weights, k=rng.randint(1, 4))))
            if cycle.vote_method == "knapsack":  # keep the ballot within the envelope
                kept: list[str] = []
                for code in choice:
                    if sum(costs[c] or 0 for c in kept) + (costs[code] or 0) <= env.amount:
                        kept.append(code)
                choice = kept
            services.ballot_cast(user=voter, envelope_id=env.pk, project_codes=choice)


def _finished_cycle(admin: User, official: User) -> None:
    with _days_ago(200):
        cycle = services.cycle_create(
            actor=admin, slug="2025", year=2025, name_ko="2025 서울시 시민참여예산",
            name_en="Seoul Participatory Budget 2025",
            total_amount=6_000_000_000, dates=_dates(0), rule="mes", vote_method="approval", max_choices=5,
            description="시민이 제안하고 시민이 결정하는 서울시 예산입니다.",
            description_en="Seoul's budget, proposed and decided by its citizens.",
        )
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.CITYWIDE,
                                 amount=3_500_000_000, name_ko="시 단위 사업", name_en="City-wide projects")
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.DISTRICT, district_code="11110",
                                 amount=600_000_000, name_ko="종로구 사업", name_en="Jongno-gu projects")
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.SUBMISSION)
        projects = _submit_all(cycle, DEMO_PROJECTS, "11110")
    with _days_ago(170):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.REVIEW)
    with _days_ago(160):
        for p in projects:
            services.project_review(actor=official, project_id=p.pk, feasible=True, cost=p.requested_cost,
                                    note="현장 확인 결과 추진 가능합니다.")
    with _days_ago(150):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.DELIBERATION)
    with _days_ago(110):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.VOTE)
    with _days_ago(100):
        _cast_demo_ballots(cycle, range(1, 61), seed=2025)
    with _days_ago(80):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.ALLOCATION)
    with _days_ago(75):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.IMPLEMENTATION)
    with _days_ago(20):
        for p in cycle.projects.filter(status="funded").order_by("code")[:3]:
            services.implementation_update_add(actor=official, project_id=p.pk,
                                               status=ImplementationStatus.IN_PROGRESS, progress=40,
                                               note="설계를 마치고 공사를 시작했습니다.")


def _voting_cycle(admin: User, official: User) -> None:
    """2026: reviewed, deliberated, and in its citizen vote now (open for three more weeks)."""
    with _days_ago(95):
        cycle = services.cycle_create(
            actor=admin, slug="2026", year=2026, name_ko="2026 서울시 시민참여예산",
            name_en="Seoul Participatory Budget 2026",
            total_amount=8_000_000_000, dates=_dates(0, length=116), rule="greedy", vote_method="knapsack",
            description="시민이 고른 사업에 2026년 예산을 씁니다. 봉투 금액 안에서 마음에 드는 사업을 고르세요.",
            description_en="The 2026 budget goes to the projects citizens choose: pick the ones you like, within "
                           "each envelope's amount.",
        )
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.CITYWIDE,
                                 amount=4_000_000_000, name_ko="시 단위 사업", name_en="City-wide projects")
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.DISTRICT, district_code="11110",
                                 amount=800_000_000, name_ko="종로구 사업", name_en="Jongno-gu projects")
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.SUBMISSION)
        projects = _submit_all(cycle, VOTE_PROJECTS, "11110")
    with _days_ago(65):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.REVIEW)
    with _days_ago(55):
        for p in projects:
            services.project_review(actor=official, project_id=p.pk, feasible=True, cost=p.requested_cost,
                                    note="관계 부서 검토 결과 추진할 수 있습니다.")
    with _days_ago(45):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.DELIBERATION)
    with _days_ago(3):
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.VOTE)
    with _days_ago(1):
        _cast_demo_ballots(cycle, range(1, 41), seed=2026)


def _open_cycle(admin: User) -> None:
    """2027: taking proposals (the proposal form, with a Democracy Seoul connection envelope)."""
    with _days_ago(7):
        cycle = services.cycle_create(
            actor=admin, slug="2027", year=2027, name_ko="2027 서울시 시민참여예산",
            name_en="Seoul Participatory Budget 2027",
            total_amount=8_000_000_000, dates=_dates(0, length=160), rule="greedy", vote_method="knapsack",
            description="2027년 시민참여예산 제안을 받습니다.",
            description_en="Proposals for the 2027 participatory budget are open.",
        )
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.CITYWIDE, amount=5_000_000_000,
                                 name_ko="시 단위 사업", name_en="City-wide projects")
        services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.PROPOSAL_TYPE,
                                 proposal_type=ProposalType.DEMOCRACY, amount=1_000_000_000,
                                 name_ko="민주주의 서울 연계", name_en="Democracy Seoul connection")
        services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.SUBMISSION)
    with _days_ago(2):
        proposer = _user("demo-budget-proposer-1")
        services.project_submit(user=proposer, cycle_id=cycle.pk, proposal_type=ProposalType.BROAD,
                                title="지하철역 무더위 쉼터",
                                summary="폭염 때 지하철역 대합실 일부를 무더위 쉼터로 운영합니다.",
                                requested_cost=600_000_000, lat=37.5547, lon=126.9707)
        adopted = _adopted_democracy_proposal()
        if adopted is not None:
            services.project_submit(
                user=_user("demo-budget-proposer-2"), cycle_id=cycle.pk, proposal_type=ProposalType.DEMOCRACY,
                title=f"{adopted['title'][:60]} 실행",
                summary="민주주의 서울에서 채택된 시민 제안을 내년 예산으로 실행합니다.",
                requested_cost=800_000_000, democracy_proposal_id=adopted["id"])


def _adopted_democracy_proposal() -> dict[str, Any] | None:
    try:
        from smartseoul.democracy.selectors import adopted_proposals
    except ImportError:  # a city may run without Democracy Seoul
        return None
    return next(iter(adopted_proposals()), None)
