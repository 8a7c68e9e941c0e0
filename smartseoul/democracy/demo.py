"""Seoul demo data for Democracy Seoul: proposals at several ladder stages (one adopted after its
forum, with a past history) and one Seoul Inquires round.

Idempotent: proposals are found by title, demo citizens by user name; a second run adds nothing.
Demo citizens get an unusable password (they exist to hold supports), so nobody can sign in as them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction

from smartseoul.accounts.models import Capability, Role, User, Verification
from smartseoul.accounts.services import user_grant_capability
from smartseoul.core import clock
from smartseoul.core import selectors as core_selectors

from . import services
from .models import Inquiry, Proposal, Stage

DEMO_PROPOSALS: list[tuple[str, str, str, str, str | None, int]] = [
    # title, problem, solution, category, district, supporters
    (
        "버스정류장 온열의자를 모든 정류장에",
        "겨울철 새벽 버스를 기다리는 어르신들이 추위에 오래 노출됩니다.",
        "시내버스 정류장 전체에 온열의자와 바람막이를 단계적으로 설치합시다.",
        "traffic",
        None,
        62,
    ),
    (
        "경로당 냉방비 지원 확대",
        "폭염 때 경로당 냉방비 부담으로 에어컨을 충분히 켜지 못합니다.",
        "폭염 특보 기간에는 경로당 냉방비를 시가 전액 지원해 주세요.",
        "welfare",
        "11110",
        120,
    ),
    (
        "한강공원 일회용품 줄이기",
        "주말마다 한강공원에 배달 용기와 일회용품 쓰레기가 넘쳐납니다.",
        "배달존에 다회용기 반납함을 두고 반납하면 포인트를 주는 제도를 만듭시다.",
        "environment",
        None,
        34,
    ),
    (
        "골목길 보행자 우선 도로 지정",
        "차도와 인도가 구분되지 않은 골목에서 아이들이 위험합니다.",
        "초등학교 주변 골목을 보행자 우선 도로로 지정하고 속도를 시속 20km로 제한합시다.",
        "safety",
        "11440",
        8,
    ),
]

FORUM_OPINIONS: list[tuple[str, str]] = [
    ("pro", "정류장에서 기다리는 10분이 한여름엔 정말 깁니다. 꼭 필요합니다."),
    ("pro", "어르신들이 많이 이용하는 정류장부터 설치해 주세요."),
    ("con", "보도가 좁은 정류장은 그늘막이 보행을 막지 않게 해 주세요."),
    ("pro", "접이식이면 겨울에는 접어 둘 수 있어 좋겠습니다."),
    ("pro", "횡단보도 그늘막처럼 효과가 클 것 같습니다."),
    ("con", "설치보다 관리 예산이 더 들지 않을지 걱정입니다. 관리 계획도 함께 세워 주세요."),
    ("pro", "아이들과 버스를 기다릴 때 그늘이 없어 힘들었습니다."),
    ("pro", "정류장 위치마다 해가 드는 방향을 보고 설치하면 좋겠습니다."),
    ("pro", "찬성합니다. 폭염 특보 때 특히 필요합니다."),
    ("con", "가로수를 더 심는 편이 장기적으로 낫지 않을까요?"),
    ("pro", "버스 도착 안내판이 그늘 안에서 보이도록 해 주세요."),
    ("pro", "마을버스 정류장도 포함해 주세요."),
]

# the proposal that went the whole way to "adopted": title, problem, solution, category, district, supporters
ADOPTED: tuple[str, str, str, str, str | None, int] = (
    "폭염 때 버스정류장 그늘막 늘리기",
    "한여름 버스정류장에는 그늘이 없어 어르신과 아이들이 뙤약볕 아래에서 버스를 기다립니다.",
    "유동인구가 많은 버스정류장부터 접이식 그늘막을 설치하고, 설치 기준을 시민과 함께 정합시다.",
    "environment",
    None,
    110,
)


@transaction.atomic
def load_demo() -> dict[str, int]:
    city = core_selectors.city()
    if city is None:
        return {"proposals": 0}
    citizens = _demo_citizens(130)
    _demo_officials()
    created = 0
    for title, problem, solution, category, district, supporters in DEMO_PROPOSALS:
        if Proposal.objects.filter(title=title).exists():
            continue
        author = citizens[created % len(citizens)]
        p = services.proposal_create(
            author=author, title=title, problem=problem, solution=solution, category=category, district_code=district
        )
        for user in citizens:
            if p.support_count >= supporters:
                break
            if user.pk != author.pk:
                p = services.support_add(proposal_id=p.pk, user=user)
        created += 1
    if not Inquiry.objects.exists():
        official = (
            User.objects.filter(username="planner").first()
            or User.objects.filter(username="demo-democracy-official").first()
        )
        if official is not None:
            services.inquiry_create(
                actor=official,
                title="따릉이 야간 운영 시간 연장, 어떻게 생각하세요?",
                question="공공자전거 따릉이 대여소를 새벽 2시까지 운영하는 방안에 대한 의견을 들려주세요.",
                background="심야 이동 수요 분석 결과 자정 이후 단거리 이동이 늘고 있습니다.",
                closes_at=clock.now() + timedelta(days=21),
            )
    _answer_one(Proposal.objects.filter(stage=Stage.DEPARTMENT_ANSWER_DUE, category="traffic").first())
    if not Proposal.objects.filter(title=ADOPTED[0]).exists():
        _adopted(citizens)
        created += 1
    return {"proposals": created}


@contextmanager
def _days_ago(days: float) -> Iterator[None]:
    """Runs the block as if it were `days` days ago (the clock moves back, then forward again), so
    the adopted proposal's history carries real past dates."""
    seconds = days * 86400
    clock.advance(-seconds)
    try:
        yield
    finally:
        clock.advance(seconds)


def _adopted(citizens: list[User]) -> None:
    """One proposal that went the whole way: support, the department's answer, a public forum and
    the final answer "adopted" — the kind the participatory budget's Democracy Seoul connection
    builds on."""
    title, problem, solution, category, district, supporters = ADOPTED
    with _days_ago(100):
        author = citizens[-1]
        p = services.proposal_create(
            author=author, title=title, problem=problem, solution=solution, category=category, district_code=district
        )
        for user in citizens[:supporters]:
            p = services.support_add(proposal_id=p.pk, user=user)
    official = _department_official(p)
    if official is None:
        return
    with _days_ago(95):
        services.answer_create(
            proposal_id=p.pk,
            actor=official,
            body="여름철 그늘막은 효과가 확인된 사업입니다. 설치 기준을 마련하고 "
            "시민 토론을 거쳐 확대 여부를 정하겠습니다.",
        )
    with _days_ago(69):
        services._close_window(p.pk)  # what the daily run does when the support window ends
    selector = User.objects.filter(username="demo-democracy-official").first()
    if selector is None:
        return
    with _days_ago(67):
        services.forum_open(proposal_id=p.pk, actor=selector, note="시민 토론으로 설치 기준을 함께 정합니다.")
    with _days_ago(60):
        for user, (stance, body) in zip(citizens, FORUM_OPINIONS, strict=False):
            services.opinion_set(proposal_id=p.pk, user=user, stance=stance, body=body)
    with _days_ago(37):
        services._close_forum(p.pk)  # the daily run again: the forum ends, the department decides
    with _days_ago(30):
        services.answer_create(
            proposal_id=p.pk,
            actor=official,
            outcome=Stage.ADOPTED,
            body="채택합니다. 내년에 유동인구가 많은 정류장부터 그늘막을 설치하며, 시민참여예산 "
            "'민주주의 서울 연계' 사업으로 제안할 수 있습니다.",
        )


def _demo_citizens(n: int) -> list[User]:
    existing = {u.username: u for u in User.objects.filter(username__startswith="demo-citizen-")}
    out = []
    for i in range(1, n + 1):
        name = f"demo-citizen-{i:03d}"
        user = existing.get(name)
        if user is None:
            user = User(username=name, role=Role.CITIZEN, verification=Verification.PHONE)
            user.set_unusable_password()
            user.save()
        out.append(user)
    return out


def _demo_officials() -> None:
    dept = core_selectors.department_by_code("seoul-democracy")
    user = User.objects.filter(username="demo-democracy-official").first()
    if user is None:
        user = User(username="demo-democracy-official", role=Role.OFFICIAL, department=dept, is_staff=True)
        user.set_unusable_password()
        user.save()
        user_grant_capability(user=user, capability=Capability.PROPOSAL_SELECTION)
        user_grant_capability(user=user, capability=Capability.MODERATOR)


def _department_official(p: Proposal) -> User | None:
    if p.department is None:
        return None
    official = User.objects.filter(department=p.department).exclude(role=Role.CITIZEN).first()
    if official is None:
        official = User(
            username=f"demo-official-{p.department.code}",
            role=Role.OFFICIAL,
            department_id=p.department_id,
            is_staff=True,
        )
        official.set_unusable_password()
        official.save()
    return official


def _answer_one(p: Proposal | None) -> None:
    official = _department_official(p) if p is not None else None
    if p is None or official is None:
        return
    services.answer_create(
        proposal_id=p.pk,
        actor=official,
        body="제안 감사합니다. 올해 겨울 시범사업으로 유동인구가 많은 정류장 100곳에 온열의자를 설치하고, "
        "효과를 평가해 확대 여부를 결정하겠습니다.",
    )
