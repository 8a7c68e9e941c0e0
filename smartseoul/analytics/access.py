"""Who may use the analytics pages and API (see smartseoul.core.access): data analysts after their
second factor; the commercial-district traffic light and the hexagon grid are public."""

from smartseoul.core.access import PUBLIC, STAFF_2FA, Rule

ANALYST = STAFF_2FA("analyst")

RULES = (
    Rule("analytics:home", GET=ANALYST),
    Rule("analytics:job-new", POST=ANALYST),
    Rule("analytics:job", GET=ANALYST),
    Rule("analytics:job-status", GET=ANALYST),
    Rule("analytics:job-cancel", POST=ANALYST),
    Rule("analytics:job-geojson", GET=ANALYST),
    Rule("analytics:trips-import", POST=ANALYST),
    Rule("analytics:routes-upload", POST=ANALYST),
    Rule("analytics:commerce", GET=PUBLIC),
    Rule("analytics:commerce-analyse", GET=PUBLIC),
    Rule("api/v1/analytics/grid", GET=PUBLIC),
    Rule("api/v1/analytics/jobs", GET=ANALYST, POST=ANALYST),
    Rule("api/v1/analytics/jobs/<job_id>", GET=ANALYST),
    Rule("api/v1/analytics/jobs/<job_id>/cancel", POST=ANALYST),
    Rule("api/v1/analytics/jobs/<job_id>/geojson", GET=ANALYST),
    Rule("api/v1/analytics/trips/import", POST=ANALYST),
    Rule("api/v1/analytics/trips/imports", GET=ANALYST),
    Rule("api/v1/analytics/routes/existing", POST=ANALYST),
    Rule("api/v1/analytics/sql", GET=ANALYST),
    Rule("api/v1/analytics/commerce/indicators", GET=PUBLIC),
    Rule("api/v1/analytics/commerce/analyse", GET=PUBLIC),
)
