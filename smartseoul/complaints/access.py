"""Who may use the Smart Complaint Report's pages, API and Open311 adapter (see smartseoul.core.access).

Reports are public (redacted, positions coarsened); their originals, internal notes and the work
queue belong to the reporter and the department handling the report."""

from smartseoul.core.access import DEPARTMENT, NOBODY, OWNER, PHONE_VERIFIED, PUBLIC, SIGNED_IN, STAFF_2FA, Rule

FMT = r"(?:\.(?P<fmt>[A-Za-z0-9]+))?$"

RULES = (
    Rule("complaints:index", GET=PUBLIC),
    Rule("complaints:new", GET=PHONE_VERIFIED, POST=PHONE_VERIFIED),
    Rule("complaints:media-upload", POST=PHONE_VERIFIED),
    Rule("complaints:media-original", GET=OWNER | DEPARTMENT, note="the unredacted original of a photo or video"),
    Rule("complaints:nearby", GET=PUBLIC),
    Rule("complaints:mine", GET=SIGNED_IN),
    Rule("complaints:report", GET=PUBLIC, note="redacted text, coarsened position, no reporter"),
    Rule("complaints:metoo", POST=PHONE_VERIFIED),
    Rule("complaints:reopen", POST=OWNER),
    Rule("complaints:map", GET=PUBLIC),
    Rule("complaints:map-geojson", GET=PUBLIC),
    Rule("complaints:district-stats", GET=PUBLIC),
    Rule("complaints:office", GET=STAFF_2FA()),
    Rule("complaints:office-bulk", POST=STAFF_2FA(), note="each report only if its department is the actor's"),
    Rule("complaints:office-report", GET=DEPARTMENT),
    Rule("complaints:office-action", POST=DEPARTMENT),
    Rule("api/v1/complaints/categories", GET=PUBLIC),
    Rule("api/v1/complaints/reports", POST=PHONE_VERIFIED),
    Rule("api/v1/complaints/media", POST=PHONE_VERIFIED),
    Rule("api/v1/complaints/reports/mine", GET=SIGNED_IN),
    Rule("api/v1/complaints/reports/<number>", GET=PUBLIC),
    Rule("api/v1/complaints/reports/<number>/metoo", POST=PHONE_VERIFIED),
    Rule("api/v1/complaints/nearby", GET=PUBLIC),
    Rule("api/v1/complaints/map", GET=PUBLIC),
    Rule("api/v1/complaints/districts", GET=PUBLIC),
    # Open311 GeoReport v2: reading is public; creating a request and the updates feed need a key.
    Rule("open311-discovery", GET=PUBLIC),
    Rule("^open311/v2/discovery" + FMT, GET=PUBLIC),
    Rule("open311-services", GET=PUBLIC),
    Rule("open311-service", GET=PUBLIC),
    Rule("open311-requests", GET=PUBLIC, POST=SIGNED_IN, key="open311:write"),
    Rule("open311-request", GET=PUBLIC),
    Rule("open311-token", GET=PUBLIC),
    Rule("open311-updates", GET=SIGNED_IN, key="open311:read"),
    Rule(r"^open311/(?P<rest>.*)$", GET=NOBODY, note="Open311's own 404 for any other path"),
)
