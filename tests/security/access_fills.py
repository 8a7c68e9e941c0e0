"""The demo world the access matrix is checked on: one account per role state, the Seoul demo,
the private and draft objects the demo lacks, and for each route the objects its URL names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from conftest import sign_in
from smartseoul.core.access import ROLE_STATES, Principal, RoleState


@dataclass
class Fill:
    """One object a route is tried with: the URL's parameters and how the roles stand to it."""

    label: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # the whole URL, for regex routes
    query: str = ""  # a GET's required parameters, so validation does not answer before the check
    body: Any = None  # a JSON body for writes (default: an empty form, or {} on the API)
    data: dict[str, Any] | None = None  # a form body for writes to pages
    owner: Any = None  # the account that owns the object (the "owner" state signs in as it)
    department: str | None = None  # the department code that handles the object
    published: bool = False  # the object is public
    secret: str | None = None  # text of the object a refused role must never receive
    absent: bool = False  # no such row (Django's admin then goes back to its index, for everyone)


def replace_fill(fill: Fill, **changes: Any) -> Fill:
    return replace(fill, **changes)


class World:
    def __init__(self, dirs: dict[str, Any]) -> None:
        self.dirs = dirs
        self.users: dict[str, Any] = {}
        self.o = SimpleNamespace()  # the demo's (and our) objects the URLs name
        self.default_owner: Any = None
        self.requests = 0
        # sessions and keys made while building the world last the module; those made during a
        # test (an object's owner) are rolled back with the test, so they are forgotten after it
        self._sessions: dict[tuple[int, bool], str] = {}
        self._keys: dict[tuple[int, bool], str] = {}
        self._durable: tuple[dict[tuple[int, bool], str], dict[tuple[int, bool], str]] = ({}, {})
        self._anonymous = Client()
        self._signed_in = Client()

    # --- accounts ---------------------------------------------------------------------------------

    def principal_of(self, user: Any, *, owner: bool = False, second_factor: bool = True) -> Principal:
        return Principal(
            signed_in=True,
            verification=user.verification,
            role=user.role,
            superuser=user.is_superuser,
            second_factor=second_factor and user.is_staff_role,
            capabilities=frozenset(user.groups.values_list("name", flat=True)),
            owner=owner,
        )

    @staticmethod
    def _second_factor(user: Any, state: RoleState) -> bool:
        if state.name == "owner":
            return bool(user.is_staff_role)
        return state.principal.second_factor  # "owner, no 2FA": False

    def client_for(self, user: Any, state: RoleState, fill: Fill) -> Client:
        if user is None:
            self._anonymous.cookies.clear()
            return self._anonymous
        second = self._second_factor(user, state)
        session = self._sessions.get((user.pk, second))
        if session is None:
            signer = Client()
            sign_in(signer, user, second_factor=second)
            session = signer.cookies[settings.SESSION_COOKIE_NAME].value
            self._sessions[(user.pk, second)] = session
        client = self._signed_in
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        return client

    def key_for(self, user: Any, state: RoleState, fill: Fill) -> str | None:
        """A key with every scope; a staff account's key carries staff permissions only if its
        second factor was passed when it was made (the "without 2FA" states get an old key)."""
        if user is None:
            return None
        from smartseoul.accounts.models import ApiKey, ApiScope
        from smartseoul.accounts.services import api_key_create

        second = self._second_factor(user, state)
        raw = self._keys.get((user.pk, second))
        if raw is None:
            key, raw = api_key_create(
                owner=user,
                name=f"matrix {state.name}",
                scopes=list(ApiScope.values),
                second_factor=True,
                daily_quota=100_000,
            )
            if not second:
                ApiKey.objects.filter(pk=key.pk).update(second_factor=False)
            self._keys[(user.pk, second)] = raw
        return raw

    def keep_sessions(self) -> None:
        self._durable = (dict(self._sessions), dict(self._keys))

    def start_test(self) -> None:
        self._sessions, self._keys = dict(self._durable[0]), dict(self._durable[1])

    def before_request(self) -> None:
        cache.clear()  # rate-limit counters: each request is judged on its own


def _make_state_user(state: RoleState) -> Any:
    from smartseoul.accounts.models import Role, User, Verification
    from smartseoul.accounts.services import user_grant_capability, user_set_phone_verified
    from smartseoul.core.models import Department, District

    p = state.principal
    user = User.objects.create_user(f"matrix-{state.name.replace('+', '-')}", password="matrix-password-2026")
    user.role = p.role
    user.is_staff = p.role != Role.CITIZEN
    user.is_superuser = p.superuser
    if state.department:
        user.department = Department.objects.get(code=state.department)
    if state.district:
        user.home_district = District.objects.get(code=state.district)
    user.save()
    n = User.objects.count()
    user_set_phone_verified(user=user, phone=f"010-7{n:03d}-{n:04d}")
    if p.verification > Verification.PHONE:
        user.verification = p.verification
        user.save(update_fields=["verification"])
    for cap in sorted(p.capabilities):
        user_grant_capability(user=user, capability=cap)
    return user


def build_world(dirs: dict[str, Any]) -> World:
    from smartseoul.accounts.models import User
    from smartseoul.core.demo import load_core_demo
    from smartseoul.core.registry import manifests

    load_core_demo()
    for manifest in manifests():
        if manifest.demo is not None:
            manifest.demo()
    world = World(dirs)
    for state in ROLE_STATES:
        if state.name not in ("anonymous", "owner"):
            world.users[state.name] = _make_state_user(state)
    world.default_owner = User.objects.get(username="citizen")
    for make in OBJECTS:
        make(world)
    for state in ROLE_STATES:
        user = world.users.get(state.name)
        if user is not None:
            world.client_for(user, state, Fill())
            world.key_for(user, state, Fill())
    world.keep_sessions()
    return world


# --- objects the demo lacks --------------------------------------------------------------------------

OBJECTS: list[Callable[[World], None]] = []


def makes(fn: Callable[[World], None]) -> Callable[[World], None]:
    OBJECTS.append(fn)
    return fn


# --- what each route's URL names ---------------------------------------------------------------------

FILLS: dict[str, Callable[[World], list[Fill]]] = {}


def admin_fill(route: str, world: World) -> Fill:
    """Django's admin pages of a model, with the model's first row (or a missing one)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    if route.startswith("admin/r/"):
        user = world.default_owner
        kind = ContentType.objects.get_for_model(type(user))
        return Fill("a user", {"content_type_id": kind.pk, "object_id": user.pk})
    if "(?P<app_label>" in route:
        return Fill("an app", path="/admin/core/")
    if "(?P<url>" in route:
        return Fill(path="/admin/nothing-here/")
    app_label, model_name = route.split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    first = model._default_manager.order_by("pk").first()
    if first is None:
        return Fill(f"no {model_name}", {"object_id": 0, "id": 0}, absent=True)
    return Fill(f"a {model_name}", {"object_id": first.pk, "id": first.pk})


# --- the objects ------------------------------------------------------------------------------------


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _trips_csv() -> Any:
    return _upload("trips.csv", b"origin_lat,origin_lon,dest_lat,dest_lon\n")


def _jpeg() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buf, "JPEG")
    return SimpleUploadedFile("pothole.jpg", buf.getvalue(), content_type="image/jpeg")


@makes
def _accounts(world: World) -> None:
    from smartseoul.accounts.models import ApiScope, User
    from smartseoul.accounts.services import api_key_create
    from smartseoul.core.models import Notification

    o = world.o
    o.citizen = world.default_owner
    o.key, _raw = api_key_create(owner=o.citizen, name="citizen's app", scopes=[ApiScope.OPEN311_READ])
    o.notification = Notification.objects.filter(recipient=o.citizen).first()
    if o.notification is None:
        from smartseoul.core.services import notify

        notify(
            recipient=o.citizen,
            kind="matrix",
            subject="A message",
            body="For the citizen only",
            link="/",
            channels=("inbox",),
        )
        o.notification = Notification.objects.filter(recipient=o.citizen).first()
    o.caseworker = User.objects.get(username="caseworker")
    o.planner = User.objects.get(username="planner")


@makes
def _complaints(world: World) -> None:
    from smartseoul.complaints import services
    from smartseoul.complaints.models import Complaint, ComplaintMedia
    from smartseoul.core.models import Department

    o = world.o
    complaint = services.complaint_submit(
        reporter=o.citizen,
        category_code="ROAD-01",
        lat=37.5725,
        lon=126.9790,
        address="종로 1",
        description="matrix-complaint pothole by the citizen",
        files=[_jpeg()],
    )
    Complaint.objects.filter(pk=complaint.pk).update(department=Department.objects.get(code="11110-parking"))
    o.complaint = Complaint.objects.get(pk=complaint.pk)
    o.media = ComplaintMedia.objects.filter(complaint=o.complaint).first()
    assert o.media is not None and o.media.public_path
    Complaint.objects.filter(pk=complaint.pk).update(token="matrix-token-1")
    o.complaint.token = "matrix-token-1"


@makes
def _voting(world: World) -> None:
    from datetime import timedelta

    from smartseoul.core import clock
    from smartseoul.voting.models import Ballot, Status, Vote
    from smartseoul.voting.services import vote_create

    o = world.o
    now = clock.now()
    o.vote_owner = o.planner
    o.vote_draft = vote_create(
        owner=o.planner,
        kind="policy",
        title="matrix-draft-vote on the river",
        options=[{"text": "a"}, {"text": "b"}],
        ballot_type="single",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=9),
        publish=False,
    )
    o.vote_review = Vote.objects.filter(status=Status.REVIEW).select_related("owner").first()
    o.vote_open = Vote.objects.filter(status=Status.PUBLISHED, target_type="everyone", live_results=True).first()
    o.vote_closed = Vote.objects.filter(status=Status.CLOSED).first()
    o.ballot = Ballot.objects.filter(vote=o.vote_open).first() or Ballot.objects.first()


@makes
def _democracy(world: World) -> None:
    from smartseoul.democracy import services
    from smartseoul.democracy.models import Inquiry, Proposal

    o = world.o
    o.proposal = (
        Proposal.objects.filter(hidden=False, department__code="11110-welfare").select_related("author").first()
    )
    hidden = services.proposal_create(
        author=o.citizen,
        title="matrix-hidden-proposal for a bench",
        problem="There is no bench in the park " * 3,
        solution="Put a bench in the park, near the gate " * 3,
        category="environment",
        district_code="11110",
    )
    Proposal.objects.filter(pk=hidden.pk).update(hidden=True)
    o.proposal_hidden = Proposal.objects.get(pk=hidden.pk)
    o.inquiry = Inquiry.objects.first()


@makes
def _budget(world: World) -> None:
    from smartseoul.budget.models import Cycle, Envelope, Phase, Project

    o = world.o
    o.cycle_open = Cycle.objects.get(slug="2027")
    o.cycle_vote = Cycle.objects.get(slug="2026")
    o.cycle_done = Cycle.objects.get(slug="2025")
    draft = Cycle.objects.get(slug="2027")
    draft.pk = None
    draft.slug, draft.phase, draft.name_ko = "matrix-draft", Phase.DRAFT, "matrix-draft-cycle"
    draft.save()
    o.cycle_draft = draft
    project = Project.objects.filter(cycle=o.cycle_open).first()
    project.pk = None
    project.cycle, project.code, project.title = draft, "DRAFT-0001", "matrix-draft-project"
    project.envelope = None
    project.save()
    o.project_draft = project
    o.project_open = Project.objects.filter(cycle=o.cycle_open).select_related("proposer").first()
    o.project_done = Project.objects.filter(cycle=o.cycle_done, status="funded").first()
    o.envelope_vote = Envelope.objects.filter(cycle=o.cycle_vote).exclude(vote_id=None).first()
    o.envelope_done = Envelope.objects.filter(cycle=o.cycle_done).first()


@makes
def _opendata(world: World) -> None:
    import io

    from smartseoul.opendata import services
    from smartseoul.opendata.models import DataRequest, Dataset, DatasetState, Document, Resource, Showcase

    o = world.o
    tabled = Dataset.objects.filter(organization__department_code="seoul-data", resources__kind="table").distinct()
    o.dataset_private, o.dataset_draft = tabled[0], tabled[1]
    Dataset.objects.filter(pk=o.dataset_private.pk).update(private=True, title_ko="matrix-private-dataset")
    Dataset.objects.filter(pk=o.dataset_draft.pk).update(state=DatasetState.DRAFT, title_ko="matrix-draft-dataset")
    o.dataset_private.refresh_from_db()
    o.dataset_draft.refresh_from_db()
    o.dataset_public = (
        Dataset.objects.filter(state=DatasetState.ACTIVE, private=False, resources__kind="table").distinct().first()
    )
    o.resource_private = Resource.objects.filter(dataset=o.dataset_private, kind="table").first()
    o.resource_public = Resource.objects.filter(dataset=o.dataset_public, kind="table").first()
    o.service_public = (
        Dataset.objects.filter(state=DatasetState.ACTIVE, private=False).exclude(service_name=None).first()
    )
    analyst = world.users["analyst+2FA"]
    analyst.second_factor_ok = True
    o.upload = services.upload_stage(
        actor=analyst,
        dataset=o.dataset_private,
        file=io.BytesIO(b"name,value\na,1\nb,2\n"),
        original_name="matrix.csv",
    )
    o.data_request = services.data_request_create(
        requester=o.citizen,
        title="matrix-request for bench data",
        description="Where are the park benches?",
        category=o.dataset_private.category,
        department_code="seoul-data",
    )
    o.data_request = DataRequest.objects.get(pk=o.data_request.pk)
    o.document_draft = Document.objects.filter(status="draft").first()
    o.document_public = Document.objects.filter(status="published").first()
    o.showcase = Showcase.objects.filter(status="approved").first()


@makes
def _sensors(world: World) -> None:
    from smartseoul.accounts.models import User
    from smartseoul.sensors.models import CareAlert, ParkingLot, Senior, Thing

    o = world.o
    o.box = Thing.objects.filter(kind="sdot_box").first()
    gateway = User.objects.create_user("matrix-gateway", password="matrix-password-2026")
    Thing.objects.filter(pk=o.box.pk).update(owner=gateway)
    o.gateway = gateway
    if not CareAlert.objects.exists():
        # The demo opens its no-movement alert only in the Korean daytime: a cold home reading
        # opens one at any hour.
        import numpy as np

        from smartseoul.core import clock
        from smartseoul.sensors.models import Datastream
        from smartseoul.sensors.services.care import care_check
        from smartseoul.sensors.services.ingest import ObservationBatch, observations_ingest
        from smartseoul.sensors.timeutil import to_us

        stream = Datastream.objects.filter(thing__kind="home_device", quantity="indoor_temperature").first()
        batch = ObservationBatch(
            np.array([stream.pk], dtype=np.int64), np.array([to_us(clock.now())], dtype=np.int64), np.array([6.0])
        )
        observations_ingest(batch=batch)
        care_check()
    o.alert = CareAlert.objects.select_related("senior").first()
    o.senior = o.alert.senior if o.alert else Senior.objects.first()
    o.home_device = Thing.objects.filter(kind="home_device", senior=o.senior).first()
    o.parking_lot = ParkingLot.objects.select_related("owner").first()


@makes
def _analytics_and_dashboard(world: World) -> None:
    from smartseoul.analytics.models import Job
    from smartseoul.dashboard import services
    from smartseoul.dashboard.models import ThemeMap

    o = world.o
    o.job = Job.objects.exclude(geojson=None).first() or Job.objects.first()
    o.theme_public = ThemeMap.objects.filter(status="published").first()
    o.theme_draft = services.theme_map_create(author=o.citizen, title_ko="matrix-draft-theme of benches")
    o.theme_point = services.theme_point_add(
        theme=o.theme_draft, author=o.citizen, title="matrix bench", lat=37.5725, lon=126.9790
    )


# --- fills, route by route ------------------------------------------------------------------------------
# A route not named here is tried once, with no object (its URL has no parameters).


def _one(fn: Callable[[SimpleNamespace], Fill]) -> Callable[[World], list[Fill]]:
    return lambda world: [fn(world.o)]


def _many(fn: Callable[[SimpleNamespace], list[Fill]]) -> Callable[[World], list[Fill]]:
    return lambda world: fn(world.o)


def register(routes: tuple[str, ...] | str, fn: Callable[[World], list[Fill]]) -> None:
    for route in (routes,) if isinstance(routes, str) else routes:
        assert route not in FILLS, route
        FILLS[route] = fn


# core and accounts
register("core:inbox-read", _one(lambda o: Fill("a notification", {"pk": o.notification.pk}, owner=o.citizen)))
register("accounts:key-revoke", _one(lambda o: Fill("an API key", {"pk": o.key.pk}, owner=o.citizen)))
register("media/<path:path>", _one(lambda o: Fill("a public photo copy", {"path": o.media.public_path})))
register("api/v1/city/locate", _one(lambda o: Fill(query="lat=37.5725&lon=126.9790")))


# complaints
def _complaint(o: SimpleNamespace, label: str = "another person's report", **extra: Any) -> Fill:
    return Fill(label, {"number": o.complaint.number}, owner=o.citizen, department="11110-parking", **extra)


register(
    "complaints:media-original",
    _one(lambda o: Fill("a photo's original", {"pk": o.media.pk}, owner=o.citizen, department="11110-parking")),
)
register(
    (
        "complaints:report",
        "complaints:metoo",
        "api/v1/complaints/reports/<number>",
        "api/v1/complaints/reports/<number>/metoo",
        "complaints:office-report",
    ),
    _one(_complaint),
)
register("complaints:reopen", _one(lambda o: _complaint(o, data={"reason": "still broken"})))
register(
    "complaints:office-action",
    _one(
        lambda o: Fill(
            "another person's report",
            {"number": o.complaint.number, "action": "note"},
            owner=o.citizen,
            department="11110-parking",
            data={"body": "matrix note"},
        )
    ),
)
register(
    ("complaints:nearby", "api/v1/complaints/nearby"),
    _one(lambda o: Fill(query="category=ROAD-01&lat=37.5725&lon=126.9790")),
)
register("open311-discovery", _one(lambda o: Fill(path="/open311/discovery.json")))
register(r"^open311/v2/discovery(?:\.(?P<fmt>[A-Za-z0-9]+))?$", _one(lambda o: Fill(path="/open311/v2/discovery.json")))
register("open311-services", _one(lambda o: Fill(path="/open311/v2/services.json")))
register("open311-service", _one(lambda o: Fill(path="/open311/v2/services/ROAD-01.json")))
register("open311-requests", _one(lambda o: Fill(path="/open311/v2/requests.json")))
register("open311-request", _one(lambda o: Fill(path=f"/open311/v2/requests/{o.complaint.number}.json")))
register("open311-token", _one(lambda o: Fill(path=f"/open311/v2/tokens/{o.complaint.token}.json")))
register("open311-updates", _one(lambda o: Fill(path="/open311/v2/servicerequestupdates.json")))
register(r"^open311/(?P<rest>.*)$", _one(lambda o: Fill(path="/open311/v2/nothing-here.json")))


# voting
def _votes(o: SimpleNamespace, *, review: bool = True, query: str = "") -> list[Fill]:
    found = [
        Fill("an open vote", {"vote_id": o.vote_open.pk}, published=True, query=query),
        Fill("a draft vote", {"vote_id": o.vote_draft.pk}, owner=o.planner, secret="matrix-draft-vote", query=query),
    ]
    if review:
        found.append(
            Fill(
                "a citizen's question awaiting moderation",
                {"vote_id": o.vote_review.pk},
                owner=o.vote_review.owner,
                secret=o.vote_review.title,
                query=query,
            )
        )
    return found


register(("voting:detail", "voting:audit", "api/v1/voting/votes/<vote_id>"), _many(_votes))
register(
    ("voting:cast", "api/v1/voting/votes/<vote_id>/log/checkpoints", "api/v1/voting/votes/<vote_id>/log/leaves"),
    _many(lambda o: _votes(o, review=False)),
)
register(
    "api/v1/voting/votes/<vote_id>/ballots",
    _many(
        lambda o: [
            replace_fill(f, body={"choices": [vote.options.first().pk]})
            for f, vote in zip(_votes(o, review=False), (o.vote_open, o.vote_draft), strict=True)
        ]
    ),
)
register(
    "api/v1/voting/votes/<vote_id>/log/proof/inclusion",
    _many(lambda o: _votes(o, review=False, query="index=0&size=1")),
)
register(
    "api/v1/voting/votes/<vote_id>/log/proof/consistency",
    _many(lambda o: _votes(o, review=False, query="first=1&second=1")),
)
register("api/v1/voting/votes/<vote_id>/log/subtree", _many(lambda o: _votes(o, review=False, query="start=0&end=1")))
register(
    "api/v1/voting/votes/<vote_id>/log/checkpoint",
    _one(
        lambda o: Fill(
            "a closed vote (checkpoints are signed as a vote closes)", {"vote_id": o.vote_closed.pk}, published=True
        )
    ),
)
register(
    ("voting:results", "api/v1/voting/votes/<vote_id>/results"),
    _many(
        lambda o: [
            Fill("a closed vote", {"vote_id": o.vote_closed.pk}, published=True),
            Fill("a draft vote", {"vote_id": o.vote_draft.pk}, owner=o.planner, secret="matrix-draft-vote"),
        ]
    ),
)
register("voting:manage", _many(lambda o: _votes(o)[1:]))
register(
    "voting:action",
    _one(lambda o: Fill("a draft vote", {"vote_id": o.vote_draft.pk, "action": "publish"}, owner=o.planner)),
)
register("api/v1/voting/votes/<vote_id>/close", _one(lambda o: _votes(o)[1]))
register("api/v1/voting/receipts/<tracker>", _one(lambda o: Fill("a ballot's tracker", {"tracker": o.ballot.tracker})))
register("voting:receipt", _one(lambda o: Fill("a ballot's tracker", query=f"tracker={o.ballot.tracker}")))


# democracy
def _proposals(o: SimpleNamespace, **extra: Any) -> list[Fill]:
    return [
        Fill(
            "a public proposal",
            {"pk": o.proposal.pk, "proposal_id": o.proposal.pk},
            published=True,
            owner=o.proposal.author,
            department="11110-welfare",
            **extra,
        ),
        Fill(
            "a hidden proposal",
            {"pk": o.proposal_hidden.pk, "proposal_id": o.proposal_hidden.pk},
            owner=o.citizen,
            secret="matrix-hidden-proposal",
            **extra,
        ),
    ]


register(
    (
        "democracy:proposal",
        "democracy:edit",
        "democracy:withdraw",
        "democracy:support",
        "democracy:follow",
        "api/v1/democracy/proposals/<proposal_id>",
        "api/v1/democracy/proposals/<proposal_id>/withdraw",
        "api/v1/democracy/proposals/<proposal_id>/support",
        "api/v1/democracy/proposals/<proposal_id>/follow",
    ),
    _many(_proposals),
)
register("democracy:opinion", _many(lambda o: _proposals(o, data={"stance": "pro", "body": "yes"})))
register("democracy:comment", _many(lambda o: _proposals(o, data={"body": "a matrix comment"})))
register(
    "democracy:report",
    _one(lambda o: Fill("a proposal", {"kind": "proposal", "target_id": o.proposal.pk}, data={"reason": "spam"})),
)
register(
    (
        "democracy:inquiry",
        "democracy:office-inquiry-summary",
        "api/v1/democracy/inquiries/<inquiry_id>",
        "api/v1/democracy/inquiries/<inquiry_id>/responses",
    ),
    _one(lambda o: Fill("an inquiry", {"pk": o.inquiry.pk, "inquiry_id": o.inquiry.pk})),
)
register(
    "api/v1/democracy/inquiries/<inquiry_id>/response",
    _one(lambda o: Fill("an inquiry", {"inquiry_id": o.inquiry.pk}, body={"body": "my answer to the city"})),
)
register("democracy:office-proposal", _one(lambda o: _proposals(o)[0]))
register(
    "api/v1/democracy/proposals/<proposal_id>/answers",
    _one(
        lambda o: replace_fill(_proposals(o)[0], body={"body": "The department's answer, with reasons.", "outcome": ""})
    ),
)
register(
    "api/v1/democracy/proposals/<proposal_id>/forum",
    _one(lambda o: replace_fill(_proposals(o)[0], body={"open": False, "note": "not now"})),
)
register(
    "api/v1/democracy/proposals/<proposal_id>/opinion",
    _many(lambda o: _proposals(o, body={"stance": "pro", "body": "yes"})),
)
register(
    "api/v1/democracy/proposals/<proposal_id>/comments",
    _many(lambda o: _proposals(o, body={"body": "a matrix comment"})),
)
register(
    "api/v1/democracy/proposals/<proposal_id>/budget-link",
    _one(lambda o: replace_fill(_proposals(o)[0], body={"budget_reference": "2027-0001"})),
)
register(
    "api/v1/democracy/reports",
    _one(lambda o: Fill(body={"target_kind": "proposal", "target_id": o.proposal.pk, "reason": "spam"})),
)
register(
    "api/v1/democracy/moderation",
    _one(lambda o: Fill(body={"target_kind": "proposal", "target_id": o.proposal.pk, "uphold": False, "note": ""})),
)
register(
    "api/v1/democracy/inquiries",
    _one(
        lambda o: Fill(
            body={
                "title": "matrix inquiry",
                "question": "What should the city do about benches?",
                "closes_at": "2030-01-01T00:00:00+09:00",
            }
        )
    ),
)


# budget
def _cycles(o: SimpleNamespace, **extra: Any) -> list[Fill]:
    return [
        Fill("an open cycle", {"slug": o.cycle_open.slug}, published=True, **extra),
        Fill("a draft cycle", {"slug": o.cycle_draft.slug}, secret="matrix-draft-cycle", **extra),
    ]


def _projects(o: SimpleNamespace, **extra: Any) -> list[Fill]:
    return [
        Fill(
            "a submitted proposal",
            {"code": o.project_open.code},
            published=True,
            owner=o.project_open.proposer,
            **extra,
        ),
        Fill("a draft cycle's proposal", {"code": o.project_draft.code}, secret="matrix-draft-project", **extra),
    ]


register(
    ("budget:cycle", "api/v1/budget/cycles/<slug>", "api/v1/budget/cycles/<slug>/projects.geojson"), _many(_cycles)
)
register(
    "api/v1/budget/cycles/<slug>/projects",
    _many(
        lambda o: _cycles(
            o,
            body={
                "proposal_type": "citywide",
                "title": "matrix project",
                "summary": "a bench",
                "requested_cost": 1000000,
            },
        )
    ),
)
register(("budget:office-cycle", "budget:propose"), _many(lambda o: _cycles(o)[:1]))
register(
    "budget:office-import",
    _one(lambda o: replace_fill(_cycles(o)[0], data={"file": _upload("matrix.pb", b"META\nkey;value\n")})),
)
register(
    "budget:office-advance",
    _one(lambda o: Fill("a draft cycle", {"slug": o.cycle_draft.slug}, data={"to_phase": "submission"})),
)
register(
    "api/v1/budget/cycles/<slug>/advance",
    _one(lambda o: Fill("a draft cycle", {"slug": o.cycle_draft.slug}, body={"to_phase": "submission"})),
)
register(
    ("budget:results", "budget:report", "api/v1/budget/cycles/<slug>/results"),
    _one(lambda o: Fill("a finished cycle", {"slug": o.cycle_done.slug})),
)
register(("budget:project", "api/v1/budget/projects/<code>"), _many(_projects))
register(("budget:office-project",), _many(lambda o: _projects(o)[:1]))
register("budget:withdraw", _one(lambda o: _projects(o)[0]))
register(
    "api/v1/budget/projects/<code>/review",
    _one(lambda o: replace_fill(_projects(o)[0], body={"feasible": True, "note": "fine"})),
)
register("api/v1/budget/projects/<code>/score", _one(lambda o: replace_fill(_projects(o)[0], body={"score": 5})))
register(
    "api/v1/budget/projects/<code>/override",
    _one(lambda o: Fill("a funded project", {"code": o.project_done.code}, body={"funded": True, "reason": "matrix"})),
)
register(
    "api/v1/budget/projects/<code>/updates",
    _one(
        lambda o: Fill(
            "a funded project",
            {"code": o.project_done.code},
            body={"status": "in_progress", "progress": 50, "note": "x"},
        )
    ),
)
register(
    ("budget:vote", "api/v1/budget/envelopes/<envelope_id>/ballot"),
    _one(lambda o: Fill("an envelope being voted on", {"envelope_id": o.envelope_vote.pk}, body=None)),
)
register(
    ("budget:pabulib", "api/v1/budget/envelopes/<envelope_id>/pabulib"),
    _one(lambda o: Fill("a finished envelope", {"envelope_id": o.envelope_done.pk})),
)


# open data
def _datasets(o: SimpleNamespace, key: str = "name", **extra: Any) -> list[Fill]:
    def fill(label: str, ds: Any, **more: Any) -> Fill:
        return Fill(label, {key: ds.name}, department="seoul-data", **more, **extra)

    return [
        fill("a public dataset", o.dataset_public, published=True),
        fill("a private dataset", o.dataset_private, secret="matrix-private-dataset"),
        fill("a draft dataset", o.dataset_draft, secret="matrix-draft-dataset"),
    ]


register(
    (
        "opendata:dataset",
        "opendata:preview",
        "opendata:chart-data",
        "opendata:map-data",
        "api/v1/opendata/datasets/<name>",
        "api/v1/opendata/datasets/<name>/usage",
    ),
    _many(_datasets),
)
register("opendata:upload", _many(lambda o: _datasets(o)[1:2]))
register(
    "opendata:upload-report",
    _one(lambda o: Fill("a staged upload", {"uid": o.upload.uid}, department="seoul-data", data={"action": "discard"})),
)
register(
    "api/v1/opendata/resources/<resource_id>/rows",
    _many(
        lambda o: [
            Fill("a public table", {"resource_id": o.resource_public.uid}, published=True),
            Fill(
                "a private dataset's table",
                {"resource_id": o.resource_private.uid},
                department="seoul-data",
                secret="matrix-private-dataset",
            ),
        ]
    ),
)
register(
    "opendata:request",
    _one(
        lambda o: Fill(
            "a data request",
            {"uid": o.data_request.uid},
            owner=o.citizen,
            department="seoul-data",
            data={"answer": "matrix answer", "status": "answered"},
        )
    ),
)
register(
    ("opendata:document",),
    _many(
        lambda o: [
            Fill("a published document", {"uid": o.document_public.uid}, published=True),
            Fill("a draft document", {"uid": o.document_draft.uid}, secret=o.document_draft.title),
        ]
    ),
)
register(
    "opendata:document-review",
    _one(
        lambda o: Fill(
            "a draft document", {"uid": o.document_draft.uid}, secret=o.document_draft.title, data={"action": "publish"}
        )
    ),
)
register("api/v1/opendata/sql", _one(lambda o: Fill(body={"sql": "SELECT 1"})))


def _adapter(pattern: str) -> Callable[[World], list[Fill]]:
    return _many(
        lambda o: [
            Fill(
                f.label,
                path=pattern.format(
                    ident=f.kwargs["name"], res=o.resource_public.uid if f.published else o.resource_private.uid
                ),
                published=f.published,
                department=f.department,
                secret=f.secret,
            )
            for f in _datasets(o)[:2]
        ]
    )


register("dcat-catalog", _one(lambda o: Fill(path="/catalog.ttl")))
register("dcat-dataset", _adapter("/dataset/{ident}.jsonld"))
register("datapackage", _adapter("/dataset/{ident}/datapackage.json"))
register("dataset-zip", _adapter("/dataset/{ident}/download.zip"))
register(
    "resource-download",
    _many(
        lambda o: [
            Fill(
                "a public table",
                path=f"/dataset/{o.resource_public.dataset.name}/resource/{o.resource_public.uid}/download/data.csv",
                published=True,
            ),
            Fill(
                "a private dataset's table",
                path=f"/dataset/{o.dataset_private.name}/resource/{o.resource_private.uid}/download/data.csv",
                department="seoul-data",
                secret="matrix-private-dataset",
            ),
        ]
    ),
)
register(
    "opendata:download",
    _many(
        lambda o: [
            Fill(
                "a public table, for people (Excel)",
                path=f"/opendata/dataset/{o.resource_public.dataset.name}/resource/{o.resource_public.uid}/download/data.csv",
                published=True,
            ),
            Fill(
                "a private dataset's table, for people",
                path=f"/opendata/dataset/{o.dataset_private.name}/resource/{o.resource_private.uid}/download/data.csv",
                department="seoul-data",
                secret="matrix-private-dataset",
            ),
        ]
    ),
)
register("dataset-negotiate", _adapter("/dataset/{ident}"))
register("seoul-openapi", _one(lambda o: Fill(path=f"/sample/json/{o.service_public.service_name}/1/5/")))


def _ckan(name: str, **extra: Any) -> Callable[[World], list[Fill]]:
    return _one(lambda o: Fill(path=f"/api/3/action/{name}", **extra))


def _ckan_dataset(name: str, key: str = "id", resource: bool = False) -> Callable[[World], list[Fill]]:
    def make(o: SimpleNamespace) -> list[Fill]:
        found = []
        for f in _datasets(o)[:2]:
            ds = o.dataset_public if f.published else o.dataset_private
            value = str((o.resource_public if f.published else o.resource_private).uid) if resource else ds.name
            found.append(replace(f, kwargs={}, path=f"/api/3/action/{name}", query=f"{key}={value}"))
        return found

    return _many(make)


register("/api/3/action/package_show", _ckan_dataset("package_show"))
register("/api/3/action/package_activity_list", _ckan_dataset("package_activity_list"))
register("/api/3/action/resource_show", _ckan_dataset("resource_show", resource=True))
register("/api/3/action/resource_view_list", _ckan_dataset("resource_view_list", resource=True))
register("/api/3/action/datastore_search", _ckan_dataset("datastore_search", "resource_id", resource=True))
register("/api/3/action/datastore_info", _ckan_dataset("datastore_info", resource=True))
register("/api/3/action/organization_show", _ckan("organization_show", query="id=seoul-data"))
register("/api/3/action/group_show", _ckan("group_show", query="id=administration"))
register(
    "/api/3/action/show_datarequest",
    _many(lambda o: [Fill(path="/api/3/action/show_datarequest", query=f"id={o.data_request.uid}")]),
)
register(
    "/api/3/action/datastore_search_sql",
    _many(
        lambda o: [
            Fill(
                path="/api/3/action/datastore_search_sql", query=f'sql=SELECT * FROM "{o.resource_public.uid}" LIMIT 1'
            )
        ]
    ),
)
register(
    "/api/3/action/ckanext_showcase_show",
    _many(lambda o: [Fill(path="/api/3/action/ckanext_showcase_show", query=f"id={o.showcase.uid}")]),
)
register(
    "/api/3/action/ckanext_showcase_package_list",
    _many(lambda o: [Fill(path="/api/3/action/ckanext_showcase_package_list", query=f"showcase_id={o.showcase.uid}")]),
)
register("opendata:keys", _one(lambda o: Fill(data={"name": "matrix key", "kind": "sample"})))
register(
    "complaints:new",
    _one(
        lambda o: Fill(
            data={
                "category": "ROAD-01",
                "lat": "37.5725",
                "lon": "126.9790",
                "address": "종로 1",
                "description": "A pothole by the bus stop, about a hand deep.",
            }
        )
    ),
)
register("api/v1/analytics/trips/import", _one(lambda o: Fill(data={"file": _trips_csv()})))
register(
    "api/v1/analytics/routes/existing",
    _one(lambda o: Fill(body={"type": "FeatureCollection", "features": []})),
)
register("/api/3/action/help_show", _ckan("help_show", query="name=package_show"))


def _ckan_write(name: str, body: Callable[[SimpleNamespace], dict[str, Any]], private: bool = True) -> None:
    register(
        f"/api/3/action/{name}",
        _one(
            lambda o: Fill(
                "the private dataset's organisation" if private else "",
                path=f"/api/3/action/{name}",
                body=body(o),
                department="seoul-data" if private else None,
            )
        ),
    )


_ckan_write("package_create", lambda o: {"name": "matrix-created", "owner_org": "seoul-data", "title": "x"})
_ckan_write("package_update", lambda o: {"id": o.dataset_private.name, "title": "matrix changed"})
_ckan_write("package_patch", lambda o: {"id": o.dataset_private.name, "title": "matrix changed"})
_ckan_write("package_delete", lambda o: {"id": o.dataset_private.name})
_ckan_write(
    "resource_create",
    lambda o: {"package_id": o.dataset_private.name, "name": "link", "url": "https://data.example/x.csv"},
)
_ckan_write("resource_update", lambda o: {"id": str(o.resource_private.uid), "name": "matrix renamed"})
_ckan_write("resource_patch", lambda o: {"id": str(o.resource_private.uid), "name": "matrix renamed"})
_ckan_write("organization_update", lambda o: {"id": "seoul-data", "title": "matrix title"})
_ckan_write("organization_create", lambda o: {"name": "matrix-org", "title": "Matrix"}, private=False)
_ckan_write("api_token_create", lambda o: {"name": "matrix token"}, private=False)
_ckan_write(
    "create_datarequest",
    lambda o: {"title": "matrix data please", "description": "benches", "organization_id": "seoul-data"},
    private=False,
)
register(
    "ckan-action",
    _many(
        lambda o: [
            Fill(
                "a public dataset",
                path="/api/action/package_show",
                query=f"id={o.dataset_public.name}",
                body={"id": o.dataset_public.name},
                published=True,
                department="seoul-data",
            ),
            Fill(
                "a private dataset",
                path="/api/action/package_show",
                query=f"id={o.dataset_private.name}",
                body={"id": o.dataset_private.name},
                department="seoul-data",
                secret="matrix-private-dataset",
            ),
        ]
    ),
)


# sensors
register("sensors:box", _one(lambda o: Fill("an S-DoT box", {"serial": o.box.serial})))
register(
    "sensors:care-senior",
    _one(lambda o: Fill("a senior in care", {"senior_id": o.senior.pk}, owner=o.caseworker, secret=o.senior.label)),
)
register(
    "sensors:care-alert",
    _one(lambda o: Fill("a care alert", {"alert_id": o.alert.pk, "action": "acknowledge"}, owner=o.caseworker)),
)
register(
    ("api/v1/sensors/care/alerts/<alert_id>/acknowledge",),
    _one(lambda o: Fill("a care alert", {"alert_id": o.alert.pk}, owner=o.caseworker)),
)
register(
    ("api/v1/sensors/care/alerts/<alert_id>/close",),
    _one(
        lambda o: Fill("a care alert", {"alert_id": o.alert.pk}, owner=o.caseworker, body={"note": "visited, all well"})
    ),
)
register("api/v1/sensors/care/alerts", _one(lambda o: Fill(secret=o.senior.label)))
register(("api/v1/sensors/parking/lots/<lot_id>",), _one(lambda o: Fill("a car park", {"lot_id": o.parking_lot.pk})))
register(
    "api/v1/sensors/parking/lots/<lot_id>/hours",
    _one(
        lambda o: Fill(
            "a car park", {"lot_id": o.parking_lot.pk}, owner=o.parking_lot.owner, body={"sharing_hours": []}
        )
    ),
)
register(
    "api/v1/sensors/alerts/subscriptions",
    _one(lambda o: Fill(body={"district_code": "11110", "kinds": ["dust"], "channels": ["inbox"]})),
)
register(
    "sensors:alerts", _one(lambda o: Fill(data={"district_code": "11110", "kinds": ["dust"], "channels": ["inbox"]}))
)
register("api/v1/sensors/gateway/batch", _one(lambda o: Fill(body={"encoding": "sdot-raw", "observations": []})))
register(
    "/sta/v1.1/Things(home)",
    _one(
        lambda o: Fill(
            "a home device", path=f"/sta/v1.1/Things({o.home_device.pk})", owner=o.caseworker, secret=o.home_device.name
        )
    ),
)
register(
    "/sta/v1.1/Things(home)/Datastreams",
    _one(
        lambda o: Fill(
            "a home device",
            path=f"/sta/v1.1/Things({o.home_device.pk})/Datastreams",
            owner=o.caseworker,
            secret=o.home_device.name,
        )
    ),
)
register(
    "/sta/v1.1/Things(box)",
    _one(
        lambda o: Fill(
            "a gateway's box", path=f"/sta/v1.1/Things({o.box.pk})", owner=o.gateway, body={"description": "matrix"}
        )
    ),
)
register("/sta/v1.1/CreateObservations", _one(lambda o: Fill(path="/sta/v1.1/CreateObservations", body=[])))
register("sta-root", _one(lambda o: Fill(path="/sta/v1.1")))

# analytics
register("analytics:job-new", _one(lambda o: Fill("an analysis kind", {"kind": "density"})))
register(
    (
        "analytics:job",
        "analytics:job-status",
        "analytics:job-cancel",
        "analytics:job-geojson",
        "api/v1/analytics/jobs/<job_id>",
        "api/v1/analytics/jobs/<job_id>/cancel",
        "api/v1/analytics/jobs/<job_id>/geojson",
    ),
    _one(lambda o: Fill("a finished job", {"pk": o.job.pk, "job_id": o.job.pk})),
)
register("api/v1/analytics/jobs", _one(lambda o: Fill(body={"kind": "density", "params": {}})))
register("api/v1/analytics/sql", _one(lambda o: Fill(query="engine=duckdb")))
register(
    ("analytics:commerce-analyse", "api/v1/analytics/commerce/analyse"),
    _one(lambda o: Fill(query="lat=37.5725&lon=126.9790&category=cafe")),
)

# dashboard
register("dashboard:layer", _one(lambda o: Fill("a public layer", {"key": "complaints"})))
register("api/v1/dashboard/layers/<key>", _one(lambda o: Fill("a public layer", {"key": "complaints"})))
register("api/v1/dashboard/nearby", _one(lambda o: Fill(query="lat=37.5725&lon=126.9790&layers=complaints")))
register("dashboard:around-results", _one(lambda o: Fill(query="lat=37.5725&lon=126.9790")))


def _themes(o: SimpleNamespace, **extra: Any) -> list[Fill]:
    return [
        Fill("a published theme map", {"pk": o.theme_public.pk}, published=True, owner=o.theme_public.author, **extra),
        Fill(
            "a theme map in the making", {"pk": o.theme_draft.pk}, owner=o.citizen, secret="matrix-draft-theme", **extra
        ),
    ]


register(("dashboard:theme", "dashboard:theme-publish"), _many(_themes))
register("dashboard:theme-submit", _many(lambda o: _themes(o)[1:]))
register("dashboard:theme-reject", _many(lambda o: _themes(o, data={"note": "not a theme"})[1:]))
register(
    "dashboard:theme-point-add",
    _many(lambda o: _themes(o, data={"title": "a bench", "lat": "37.5725", "lon": "126.9790"})[1:]),
)
register(
    "dashboard:theme-point-remove",
    _one(
        lambda o: Fill(
            "a theme map in the making", {"pk": o.theme_draft.pk, "point_id": o.theme_point.pk}, owner=o.citizen
        )
    ),
)
