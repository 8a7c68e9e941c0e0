"""Who may use the sensors module's pages, API and SensorThings service (see smartseoul.core.access).

Air quality, parking and public boxes are open. A senior's home devices and care data belong to
the senior's assigned caseworkers, after their second factor; gateways write with a key."""

from smartseoul.core.access import CITY_ADMIN, OWNER_2FA, PUBLIC, SIGNED_IN, STAFF_2FA, Rule

RULES = (
    Rule("sensors:map", GET=PUBLIC),
    Rule("sensors:boxes-geojson", GET=PUBLIC),
    Rule("sensors:box", GET=PUBLIC, note="S-DoT boxes only; home devices are not boxes"),
    Rule("sensors:alerts", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("sensors:care", GET=STAFF_2FA("caseworker")),
    Rule("sensors:care-senior", GET=OWNER_2FA, note="the senior's assigned caseworker"),
    Rule("sensors:care-alert", POST=OWNER_2FA, note="the senior's assigned caseworker"),
    Rule(
        "api/v1/sensors/gateway/batch",
        POST=SIGNED_IN,
        key="sensors:write",
        note="a gateway writes only the streams of its own devices",
    ),
    Rule("api/v1/sensors/parking/lots", GET=PUBLIC),
    Rule("api/v1/sensors/parking/lots/<lot_id>", GET=PUBLIC),
    Rule("api/v1/sensors/parking/lots/<lot_id>/hours", PUT=OWNER_2FA | CITY_ADMIN, note="the car park's operator"),
    Rule("api/v1/sensors/air/districts", GET=PUBLIC),
    Rule("api/v1/sensors/alerts/subscriptions", GET=SIGNED_IN, POST=SIGNED_IN),
    Rule("api/v1/sensors/care/alerts", GET=STAFF_2FA("caseworker"), note="the caseworker's own seniors"),
    Rule("api/v1/sensors/care/alerts/<alert_id>/acknowledge", POST=OWNER_2FA),
    Rule("api/v1/sensors/care/alerts/<alert_id>/close", POST=OWNER_2FA),
    # OGC SensorThings: reading is open except home devices (and everything about them); writing
    # needs a gateway key and touches only the gateway's own Things.
    Rule("sta-root", GET=PUBLIC),
    Rule("/sta/v1.1/Things", GET=PUBLIC, note="home devices are left out"),
    Rule("/sta/v1.1/Datastreams", GET=PUBLIC, note="home devices' streams are left out"),
    Rule("/sta/v1.1/Observations", GET=PUBLIC, note="home devices' observations are left out"),
    Rule("/sta/v1.1/Things(home)", GET=OWNER_2FA, note="a home device: its senior's caseworker"),
    Rule("/sta/v1.1/Things(home)/Datastreams", GET=OWNER_2FA),
    Rule("/sta/v1.1/CreateObservations", POST=SIGNED_IN, key="sensors:write"),
    Rule(
        "/sta/v1.1/Things(box)",
        PATCH=OWNER_2FA | CITY_ADMIN,
        DELETE=OWNER_2FA | CITY_ADMIN,
        key="sensors:write",
        note="the gateway that registered the Thing",
    ),
)
