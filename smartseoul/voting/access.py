"""Who may use mVoting's pages and API (see smartseoul.core.access).

A vote is public once published; a draft, or a citizen's question awaiting moderation, is seen
only by its owner and officials. Its owner (or a city administrator) schedules and closes it;
results are public when the vote closes (or shows live results)."""

from smartseoul.core.access import (
    CITY_ADMIN,
    OWNER_2FA,
    PHONE_VERIFIED,
    PUBLIC,
    PUBLISHED,
    SETTLED,
    SIGNED_IN,
    STAFF,
    STAFF_2FA,
    Rule,
)

# a vote's owner is often an official: a staff owner acts on it only after the second factor
OWNER = OWNER_2FA
VISIBLE = PUBLISHED | OWNER | STAFF_2FA()
RESULTS = PUBLISHED | OWNER | CITY_ADMIN

RULES = (
    Rule("voting:list", GET=PUBLIC),
    Rule("voting:receipt", GET=PUBLIC),
    Rule("voting:receipts", GET=SIGNED_IN),
    Rule(
        "voting:new",
        GET=PHONE_VERIFIED & SETTLED,
        POST=PHONE_VERIFIED & SETTLED,
        note="citizens ask general questions (moderated)",
    ),
    Rule("voting:office", GET=STAFF),
    Rule("voting:detail", GET=VISIBLE),
    Rule("voting:cast", POST=SIGNED_IN & VISIBLE, note="eligibility (district, place, password) is the vote's own"),
    Rule("voting:results", GET=RESULTS),
    Rule("voting:audit", GET=VISIBLE),
    Rule("voting:manage", GET=OWNER | STAFF_2FA()),
    Rule("voting:action", POST=OWNER | CITY_ADMIN, note="publish and close; approve and reject: moderators"),
    Rule("api/v1/voting/votes", GET=PUBLIC, POST=PHONE_VERIFIED),
    Rule("api/v1/voting/votes/<vote_id>", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/ballots", POST=SIGNED_IN & PUBLISHED),
    Rule("api/v1/voting/votes/<vote_id>/close", POST=OWNER | CITY_ADMIN),
    Rule("api/v1/voting/votes/<vote_id>/results", GET=RESULTS),
    Rule("api/v1/voting/log/key", GET=PUBLIC),
    Rule("api/v1/voting/votes/<vote_id>/log/checkpoint", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/log/checkpoints", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/log/leaves", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/log/proof/inclusion", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/log/proof/consistency", GET=VISIBLE),
    Rule("api/v1/voting/votes/<vote_id>/log/subtree", GET=VISIBLE),
    Rule("api/v1/voting/receipts/<tracker>", GET=PUBLIC, note="whoever holds the tracker code"),
)
