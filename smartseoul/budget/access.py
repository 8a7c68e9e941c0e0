"""Who may use the Citizens' Participatory Budget pages and API (see smartseoul.core.access).

Cycles and their proposals are public once a cycle leaves its draft phase; results once the
allocation is done. Officials review, the citizen committee scores, city administrators advance
cycles, override outcomes and import Pabulib files."""

from smartseoul.core.access import (
    CAPABILITY,
    CITY_ADMIN,
    OWNER,
    PHONE_VERIFIED,
    PUBLIC,
    PUBLISHED,
    SIGNED_IN,
    STAFF_2FA,
    Rule,
)

OFFICE = STAFF_2FA() | CAPABILITY("budget_committee")
COMMITTEE = CAPABILITY("budget_committee")

RULES = (
    Rule("budget:home", GET=PUBLIC),
    Rule("budget:office", GET=OFFICE),
    Rule("budget:office-cycle", GET=OFFICE),
    Rule("budget:office-advance", POST=CITY_ADMIN),
    Rule("budget:office-import", POST=CITY_ADMIN),
    Rule("budget:office-project", GET=OFFICE, POST=OFFICE, note="review: officials; score: committee"),
    Rule("budget:project", GET=PUBLISHED, note="a draft cycle's proposals: on the office pages only"),
    Rule("budget:withdraw", POST=OWNER),
    Rule("budget:vote", GET=PUBLIC, POST=SIGNED_IN, note="eligibility is the envelope's own"),
    Rule("budget:pabulib", GET=PUBLIC),
    Rule("budget:cycle", GET=PUBLISHED),
    Rule("budget:propose", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("budget:results", GET=PUBLIC),
    Rule("budget:report", GET=PUBLIC),
    Rule("api/v1/budget/cycles", GET=PUBLIC),
    Rule("api/v1/budget/cycles/<slug>", GET=PUBLISHED),
    Rule("api/v1/budget/cycles/<slug>/projects", GET=PUBLISHED, POST=PHONE_VERIFIED & PUBLISHED),
    Rule("api/v1/budget/projects/<code>", GET=PUBLISHED),
    Rule("api/v1/budget/envelopes/<envelope_id>/ballot", POST=SIGNED_IN),
    Rule("api/v1/budget/cycles/<slug>/results", GET=PUBLIC),
    Rule("api/v1/budget/cycles/<slug>/projects.geojson", GET=PUBLISHED),
    Rule("api/v1/budget/envelopes/<envelope_id>/pabulib", GET=PUBLIC),
    Rule("api/v1/budget/cycles/<slug>/advance", POST=CITY_ADMIN),
    Rule("api/v1/budget/projects/<code>/review", POST=STAFF_2FA()),
    Rule("api/v1/budget/projects/<code>/score", POST=COMMITTEE),
    Rule("api/v1/budget/projects/<code>/override", POST=CITY_ADMIN),
    Rule("api/v1/budget/projects/<code>/updates", POST=STAFF_2FA()),
)
