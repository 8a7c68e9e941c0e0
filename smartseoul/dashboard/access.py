"""Who may use the Smart Seoul Map and the mayor's office (see smartseoul.core.access).

The map, its public layers and published theme maps are open; a theme map in the making belongs
to its author and the moderators; the internal version of the mayor's office is for staff."""

from smartseoul.core.access import OWNER, PUBLIC, PUBLISHED, SIGNED_IN, STAFF, STAFF_2FA, Rule

MODERATOR = STAFF_2FA("moderator")
THEME = PUBLISHED | OWNER | MODERATOR

RULES = (
    Rule("mayor:index", GET=PUBLIC),
    Rule("mayor:board", GET=PUBLIC),
    Rule("mayor:office", GET=STAFF),
    Rule("mayor:office-board", GET=STAFF),
    Rule("dashboard:map", GET=PUBLIC),
    Rule("dashboard:embed", GET=PUBLIC),
    Rule("dashboard:layer", GET=PUBLIC, note="public layers only; internal ones are not served"),
    Rule("dashboard:around", GET=PUBLIC),
    Rule("dashboard:around-results", GET=PUBLIC),
    Rule("dashboard:themes", GET=PUBLIC),
    Rule("dashboard:theme-new", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("dashboard:theme", GET=THEME),
    Rule("dashboard:theme-point-add", POST=OWNER | MODERATOR),
    Rule("dashboard:theme-point-remove", POST=OWNER | MODERATOR),
    Rule("dashboard:theme-submit", POST=OWNER | MODERATOR),
    Rule("dashboard:theme-publish", POST=MODERATOR),
    Rule("dashboard:theme-reject", POST=MODERATOR),
    Rule("dashboard:moderation", GET=MODERATOR),
    Rule("api/v1/dashboard/widgets", GET=PUBLIC),
    Rule("api/v1/dashboard/layers", GET=PUBLIC),
    Rule("api/v1/dashboard/layers/<key>", GET=PUBLIC),
    Rule("api/v1/dashboard/nearby", GET=PUBLIC),
    Rule("api/v1/dashboard/themes", GET=PUBLIC),
)
