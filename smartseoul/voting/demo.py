"""Seoul demo votes (idempotent) and the daily housekeeping."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from smartseoul.core import clock

DEMO_SOURCE = "demo:voting"


def on_day(day: date) -> None:
    from .services import checkpoints_sign_due, votes_close_due

    votes_close_due()
    checkpoints_sign_due()


@transaction.atomic
def load_demo() -> None:
    """A few Seoul votes, open on a fresh demo: a city policy vote (any phone-verified citizen), a
    Jongno-gu residents' vote (demo `citizen` lives there, `resident` in Gangnam-gu; ballots may
    be changed, so the demo citizen can vote again), an on-spot vote at Seoul Plaza for a week,
    and a citizen's general question awaiting moderation. Run twice, it adds nothing."""
    from smartseoul.accounts.models import Role, User, Verification

    from .models import Vote
    from .services import vote_create

    if Vote.objects.filter(source=DEMO_SOURCE).exists():
        return
    owner, created = User.objects.get_or_create(
        username="demo_vote_owner", defaults={"role": Role.OFFICIAL, "is_staff": True,
                                              "verification": Verification.PHONE},
    )
    if created:
        owner.set_unusable_password()
        owner.save()
    citizen, created = User.objects.get_or_create(
        username="demo_citizen_asker", defaults={"verification": Verification.PHONE},
    )
    if created:
        citizen.set_unusable_password()
        citizen.save()
    now = clock.now()
    vote_create(
        owner=owner, kind="policy", title="서울광장 겨울 스케이트장, 올해도 열까요?",
        description="올겨울에도 서울광장에 스케이트장을 열지 의견을 모읍니다. (문화정책과)",
        options=[{"text": "네, 열어 주세요"}, {"text": "아니요, 광장을 비워 두세요"}, {"text": "규모를 줄여서"}],
        ballot_type="single", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=14),
        target={"type": "everyone"}, live_results=True, source=DEMO_SOURCE,
    )
    vote_create(
        owner=owner, kind="policy", title="종로구 골목길 우선 정비 구간 (복수 선택)",
        description="종로구 주민이 먼저 다시 포장할 골목을 두 곳까지 고릅니다. 마감 전까지 선택을 바꿀 수 있어요.",
        options=[{"text": "익선동 한옥길"}, {"text": "서촌 자하문로 골목"}, {"text": "창신동 봉제골목"},
                 {"text": "혜화동 대학로 뒷길"}],
        ballot_type="multiple", max_choices=2, opens_at=now - timedelta(hours=2), closes_at=now + timedelta(days=10),
        target={"type": "districts", "codes": ["11110"]}, owner_body="11110", allow_change=True, source=DEMO_SOURCE,
    )
    vote_create(
        owner=owner, kind="onspot", title="서울광장 현장 투표: 이번 주 공연 만족도",
        description="공연 기간 동안 서울광장(반경 300 m)에 있는 분만 투표할 수 있어요.",
        options=[{"text": "매우 만족"}, {"text": "만족"}, {"text": "보통"}, {"text": "불만족"}],
        ballot_type="single", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7),
        target={"type": "geofence", "circle": {"lat": 37.5658, "lon": 126.9779, "radius_m": 300}},
        live_results=True, source=DEMO_SOURCE,
    )
    vote_create(
        owner=citizen, kind="general", title="한강공원 반려견 놀이터, 어디에 더 필요할까요?",
        description="한 시민이 다른 시민에게 묻는 질문입니다(운영자 검토 대기 중).",
        options=[{"text": "뚝섬"}, {"text": "여의도"}, {"text": "반포"}, {"text": "망원"}],
        ballot_type="approval", opens_at=now, closes_at=now + timedelta(days=20), source=DEMO_SOURCE,
    )
