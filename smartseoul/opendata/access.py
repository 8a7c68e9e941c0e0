"""Who may use the Open Data Plaza: pages, native API, CKAN actions, DCAT, Data Packages, downloads
and the Seoul OpenAPI paths (see smartseoul.core.access).

Public, active datasets are open to everyone; a private or draft dataset (and everything under it:
resources, tables, downloads, metadata) only to the publishers of its organisation, after their
second factor, or through a key created after it. Documents are public once published."""

from smartseoul.core.access import (
    CITY_ADMIN,
    DEPARTMENT,
    NOBODY,
    PUBLIC,
    PUBLISHED,
    SETTLED,
    SIGNED_IN,
    STAFF_2FA,
    Rule,
    Who,
)

ORG_PUBLISHER = (STAFF_2FA("publisher") & DEPARTMENT).named("its publisher+2FA")
DATASET = PUBLISHED | ORG_PUBLISHER
PUBLISHER = STAFF_2FA("publisher")
SQL_OFF = "off unless the site turns it on (then anyone: one read-only SELECT)"
# a staff account makes keys only after its second factor (a citizen's keys never carry staff rights)
KEY_MAKER = SETTLED
CITIZEN_ACCOUNT = Who("citizen", lambda p: p.signed_in and not p.staff_account)

CKAN_READS = (
    "package_search", "package_list", "current_package_list_with_resources", "organization_list",
    "organization_show", "group_list", "group_show", "tag_list", "status_show", "help_show", "license_list",
    "site_read", "recently_changed_packages_activity_list", "ckanext_showcase_list", "ckanext_showcase_show",
    "ckanext_showcase_package_list", "show_datarequest", "list_datarequests", "organization_list_for_user",
)  # fmt: skip
CKAN_DATASET_READS = (
    "package_show", "resource_show", "datastore_search", "datastore_info", "package_activity_list",
    "resource_view_list",
)  # fmt: skip
CKAN_DATASET_WRITES = (
    "package_update", "package_patch", "package_delete", "resource_create", "resource_update", "resource_patch",
)  # fmt: skip

RULES = (
    Rule("opendata:index", GET=PUBLIC),
    Rule("opendata:dataset", GET=DATASET),
    Rule("opendata:preview", GET=DATASET),
    Rule("opendata:download", GET=DATASET),
    Rule("opendata:chart-data", GET=DATASET),
    Rule("opendata:map-data", GET=DATASET),
    Rule("opendata:publish", GET=PUBLISHER, POST=PUBLISHER),
    Rule("opendata:upload", GET=ORG_PUBLISHER, POST=ORG_PUBLISHER),
    Rule("opendata:upload-report", GET=ORG_PUBLISHER, POST=ORG_PUBLISHER),
    Rule("opendata:keys", GET=SIGNED_IN, POST=KEY_MAKER, note="write keys only for publishers"),
    Rule("opendata:requests", GET=PUBLIC, POST=SIGNED_IN),
    Rule("opendata:request", GET=PUBLIC, POST=DEPARTMENT, note="the owning department answers"),
    Rule("opendata:apps", GET=PUBLIC, POST=SIGNED_IN, note="moderating a showcase: moderators and publishers"),
    Rule("opendata:stats", GET=PUBLIC),
    Rule("opendata:documents", GET=PUBLIC),
    Rule("opendata:documents-office", GET=STAFF_2FA(), POST=STAFF_2FA()),
    Rule("opendata:document", GET=PUBLISHED | STAFF_2FA()),
    Rule("opendata:document-review", GET=STAFF_2FA(), POST=STAFF_2FA()),
    Rule("api/v1/opendata/datasets", GET=PUBLIC),
    Rule("api/v1/opendata/datasets/<name>", GET=DATASET),
    Rule("api/v1/opendata/datasets/<name>/usage", GET=DATASET),
    Rule("api/v1/opendata/resources/<resource_id>/rows", GET=DATASET),
    Rule("api/v1/opendata/sql", POST=NOBODY, note=SQL_OFF),
    Rule("api/v1/opendata/stats", GET=PUBLIC),
    Rule("api/v1/opendata/requests", POST=SIGNED_IN),
    Rule("api/v1/opendata/keys", GET=SIGNED_IN),
    Rule("api/v1/opendata/documents", GET=PUBLIC),
    # DCAT, Frictionless Data Packages, downloads and content negotiation
    Rule("dcat-catalog", GET=PUBLIC),
    Rule("dcat-dataset", GET=DATASET),
    Rule("datapackage", GET=DATASET),
    Rule("dataset-zip", GET=DATASET),
    Rule("resource-download", GET=DATASET),
    Rule("dataset-negotiate", GET=DATASET),
    Rule("seoul-openapi", GET=PUBLIC, note="the key is in the path; the sample key gives five rows"),
    # The CKAN Action API: every action under /api/3/action/, and the same under /api/action/.
    Rule(
        "ckan-action",
        GET=DATASET,
        POST=DATASET,
        key="opendata:read",
        note="the same actions as /api/3/action/<name> (tried here with package_show, read by GET or POST)",
    ),
    *(Rule(f"/api/3/action/{name}", GET=PUBLIC, key="opendata:read") for name in CKAN_READS),
    *(Rule(f"/api/3/action/{name}", GET=DATASET, key="opendata:read") for name in CKAN_DATASET_READS),
    Rule("/api/3/action/package_create", POST=ORG_PUBLISHER, key="opendata:write"),
    *(Rule(f"/api/3/action/{name}", POST=ORG_PUBLISHER, key="opendata:write") for name in CKAN_DATASET_WRITES),
    Rule("/api/3/action/organization_create", POST=CITY_ADMIN, key="opendata:write"),
    Rule("/api/3/action/organization_update", POST=ORG_PUBLISHER, key="opendata:write"),
    Rule("/api/3/action/datastore_search_sql", GET=NOBODY, key="opendata:read", note=SQL_OFF),
    Rule(
        "/api/3/action/api_token_create",
        POST=CITIZEN_ACCOUNT,
        key="opendata:write",
        note="staff make keys on the keys page, after the second factor",
    ),
    Rule("/api/3/action/create_datarequest", POST=SIGNED_IN, key="opendata:write"),
)
