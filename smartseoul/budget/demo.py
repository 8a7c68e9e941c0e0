"""Seoul demo data for the participatory budget: a finished cycle (voted through `voting`,
allocated, published, with implementation updates) and a cycle open for proposals.

Idempotent: cycles are found by slug; demo users by user name (unusable passwords)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from smartseoul.accounts.models import Role, User, Verification
from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors

from . import services
from .models import Cycle, EnvelopeKind, ImplementationStatus, Phase, ProposalType

DEMO_PROJECTS: list[tuple[str, str, str, int, float, float]] = [
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


def load_budget_demo() -> dict[str, int]:
    if core_selectors.city() is None:
        return {"cycles": 0}
    admin = _user("demo-budget-admin", role=Role.CITY_ADMIN, verification=Verification.REAL_NAME)
    official = _user("demo-budget-official", role=Role.OFFICIAL, verification=Verification.REAL_NAME)
    created = 0
    if not Cycle.objects.filter(slug="2025").exists():
        _finished_cycle(admin, official)
        created += 1
    if not Cycle.objects.filter(slug="2026").exists():
        _open_cycle(admin)
        created += 1
    return {"cycles": created}


def _dates(now_offset_days: int) -> services.CycleDates:
    now = clock.now() + timedelta(days=now_offset_days)
    return services.CycleDates(
        submission_opens=now - timedelta(days=90), submission_closes=now - timedelta(days=60),
        review_closes=now - timedelta(days=30), deliberation_closes=now - timedelta(days=12),
        vote_opens=now - timedelta(days=10), vote_closes=now + timedelta(days=1),
    )


def _finished_cycle(admin: User, official: User) -> None:
    cycle = services.cycle_create(
        actor=admin, slug="2025", year=2025, name_ko="2025 서울시 시민참여예산",
        name_en="Seoul Participatory Budget 2025",
        total_amount=6_000_000_000, dates=_dates(0), rule="mes", vote_method="approval", max_choices=5,
        description="시민이 제안하고 시민이 결정하는 서울시 예산입니다.",
    )
    city_env = services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.CITYWIDE,
                                        amount=3_500_000_000, name_ko="시 단위 사업", name_en="City-wide projects")
    services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.DISTRICT, district_code="11110",
                             amount=600_000_000, name_ko="종로구 사업", name_en="Jongno-gu projects")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.SUBMISSION)
    proposers = [_user(f"demo-budget-proposer-{i}") for i in range(1, 4)]
    projects = []
    for i, (title, summary, ptype, cost, lat, lon) in enumerate(DEMO_PROJECTS):
        # district projects name their gu; the others are pinned on the map (the gu follows from the point)
        place: dict[str, Any] = ({"district_code": "11110"} if ptype == ProposalType.DISTRICT
                                 else {"lat": lat, "lon": lon})
        projects.append(services.project_submit(
            user=proposers[i % len(proposers)], cycle_id=cycle.pk, proposal_type=ptype, title=title, summary=summary,
            requested_cost=cost, category="생활환경", **place))
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.REVIEW)
    for p in projects:
        services.project_review(actor=official, project_id=p.pk, feasible=True, cost=p.requested_cost,
                                note="현장 확인 결과 추진 가능합니다.")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.DELIBERATION)
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.VOTE)
    rng = random.Random(2025)
    weights = [9, 7, 5, 8, 4, 3]
    city_codes = list(city_env.projects.order_by("code").values_list("code", flat=True))
    district_env = next(e for e in cycle.envelopes.all() if e.kind == EnvelopeKind.DISTRICT)
    district_codes = list(district_env.projects.order_by("code").values_list("code", flat=True))
    for i in range(1, 61):
        voter = _user(f"demo-budget-voter-{i:03d}", district="11110")
        k = rng.randint(1, 4)
        choice = sorted(set(rng.choices(city_codes, weights=weights[:len(city_codes)], k=k)))
        services.ballot_cast(user=voter, envelope_id=city_env.pk, project_codes=choice)
        if district_codes and i % 2 == 0:
            services.ballot_cast(user=voter, envelope_id=district_env.pk,
                                 project_codes=rng.sample(district_codes, rng.randint(1, 2)))
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.ALLOCATION)
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.IMPLEMENTATION)
    for p in cycle.projects.filter(status="funded").order_by("code")[:3]:
        services.implementation_update_add(actor=official, project_id=p.pk, status=ImplementationStatus.IN_PROGRESS,
                                           progress=40, note="설계를 마치고 공사를 시작했습니다.")


def _open_cycle(admin: User) -> None:
    cycle = services.cycle_create(
        actor=admin, slug="2026", year=2026, name_ko="2026 서울시 시민참여예산",
        name_en="Seoul Participatory Budget 2026",
        total_amount=8_000_000_000, dates=_dates(75), rule="greedy", vote_method="knapsack",
        description="2026년 시민참여예산 제안을 받습니다.",
    )
    services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.CITYWIDE, amount=5_000_000_000,
                             name_ko="시 단위 사업", name_en="City-wide projects")
    services.envelope_create(actor=admin, cycle_id=cycle.pk, kind=EnvelopeKind.PROPOSAL_TYPE,
                             proposal_type=ProposalType.DEMOCRACY, amount=1_000_000_000,
                             name_ko="민주주의 서울 연계", name_en="Democracy Seoul connection")
    services.cycle_advance(actor=admin, cycle_id=cycle.pk, to_phase=Phase.SUBMISSION)
    proposer = _user("demo-budget-proposer-1")
    services.project_submit(user=proposer, cycle_id=cycle.pk, proposal_type=ProposalType.BROAD,
                            title="지하철역 무더위 쉼터",
                            summary="폭염 때 지하철역 대합실 일부를 무더위 쉼터로 운영합니다.",
                            requested_cost=600_000_000, lat=37.5547, lon=126.9707)
