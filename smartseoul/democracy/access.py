"""Who may use Democracy Seoul's pages and API (see smartseoul.core.access).

Proposals are public unless moderation hid them (then only their author and moderators see them);
their author edits and withdraws them; the responsible department answers; the Proposal Selection
Group opens forums; moderators decide reports; city administrators set the ladder."""

from smartseoul.core.access import (
    CITY_ADMIN,
    DEPARTMENT,
    OWNER,
    PHONE_VERIFIED,
    PUBLIC,
    PUBLISHED,
    SIGNED_IN,
    STAFF,
    STAFF_2FA,
    Rule,
)

VISIBLE = PUBLISHED | OWNER | STAFF_2FA("moderator")
TAKE_PART = PHONE_VERIFIED & PUBLISHED  # a hidden proposal takes no support or opinion
COMMENT = PHONE_VERIFIED & VISIBLE  # its author and moderators still talk under it
ANSWERER = DEPARTMENT  # the responsible department's officials

RULES = (
    Rule("democracy:index", GET=PUBLIC),
    Rule("democracy:new", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("democracy:proposal", GET=VISIBLE),
    Rule("democracy:edit", GET=OWNER, POST=OWNER),
    Rule("democracy:withdraw", POST=OWNER),
    Rule("democracy:support", POST=TAKE_PART),
    Rule("democracy:follow", POST=SIGNED_IN & VISIBLE),
    Rule("democracy:opinion", POST=TAKE_PART),
    Rule("democracy:comment", POST=COMMENT),
    Rule("democracy:report", POST=PHONE_VERIFIED, note="reporting a proposal or comment to moderators"),
    Rule("democracy:answers", GET=PUBLIC),
    Rule("democracy:inquiries", GET=PUBLIC),
    Rule("democracy:inquiry", GET=PUBLIC, POST=PHONE_VERIFIED),
    Rule("democracy:office", GET=STAFF),
    # what each may do on these pages (answer, reassign, select) the services decide per duty
    Rule("democracy:office-proposal", GET=STAFF, POST=STAFF),
    Rule("democracy:office-moderation", GET=STAFF_2FA("moderator"), POST=STAFF_2FA("moderator")),
    Rule("democracy:office-settings", GET=CITY_ADMIN, POST=CITY_ADMIN),
    Rule("democracy:office-inquiry-new", GET=STAFF, POST=STAFF),
    Rule("democracy:office-inquiry-summary", GET=STAFF, POST=STAFF),
    Rule("api/v1/democracy/proposals", GET=PUBLIC, POST=SIGNED_IN),
    Rule("api/v1/democracy/proposals/<proposal_id>", GET=VISIBLE, PATCH=OWNER),
    Rule("api/v1/democracy/proposals/<proposal_id>/withdraw", POST=OWNER),
    Rule("api/v1/democracy/proposals/<proposal_id>/support", POST=TAKE_PART, DELETE=TAKE_PART),
    Rule("api/v1/democracy/proposals/<proposal_id>/follow", PUT=SIGNED_IN & VISIBLE, DELETE=SIGNED_IN & VISIBLE),
    Rule("api/v1/democracy/proposals/<proposal_id>/answers", POST=ANSWERER),
    Rule("api/v1/democracy/proposals/<proposal_id>/forum", POST=STAFF_2FA("proposal_selection")),
    Rule("api/v1/democracy/proposals/<proposal_id>/opinion", PUT=TAKE_PART),
    Rule("api/v1/democracy/proposals/<proposal_id>/comments", GET=VISIBLE, POST=COMMENT),
    Rule("api/v1/democracy/proposals/<proposal_id>/budget-link", POST=STAFF_2FA()),
    Rule("api/v1/democracy/answers/tracking", GET=PUBLIC),
    Rule("api/v1/democracy/adopted", GET=PUBLIC),
    Rule("api/v1/democracy/reports", POST=PHONE_VERIFIED),
    Rule("api/v1/democracy/moderation", GET=STAFF_2FA("moderator"), POST=STAFF_2FA("moderator")),
    Rule("api/v1/democracy/config", GET=PUBLIC, PATCH=CITY_ADMIN),
    Rule("api/v1/democracy/inquiries", GET=PUBLIC, POST=STAFF_2FA()),
    Rule("api/v1/democracy/inquiries/<inquiry_id>", GET=PUBLIC),
    Rule("api/v1/democracy/inquiries/<inquiry_id>/responses", GET=PUBLIC),
    Rule("api/v1/democracy/inquiries/<inquiry_id>/response", PUT=PHONE_VERIFIED),
)
