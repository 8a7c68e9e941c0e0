"""The eight SensorThings entity sets: properties, navigation and how each maps to our tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import models as m
from ..timeutil import iso, iso_interval

ENTITY_LINK_SETS = (
    "Things",
    "Locations",
    "HistoricalLocations",
    "Datastreams",
    "Sensors",
    "ObservedProperties",
    "Observations",
    "FeaturesOfInterest",
)
GEO_ENCODINGS = ("application/geo+json", "application/vnd.geo+json")


@dataclass(frozen=True)
class Nav:
    target: str
    many: bool
    orm: str = ""  # relation name on the source model ("" for lake relations)
    reverse: str = ""  # lookup on the target model back to the source id (collections)
    fk: str = ""  # attribute holding the target id (to-one)


@dataclass(frozen=True)
class EntitySet:
    name: str
    singular: str
    model: Any
    props: dict[str, str]  # STA property → model field ("" = computed)
    navs: dict[str, Nav]
    required: tuple[str, ...] = ()
    json_props: frozenset[str] = frozenset()
    geo_props: frozenset[str] = frozenset()
    intervals: dict[str, tuple[str, str]] = field(default_factory=dict)


_BASE = {"name": "name", "description": "description", "properties": "properties"}

SETS: dict[str, EntitySet] = {
    "Things": EntitySet(
        "Things",
        "Thing",
        m.Thing,
        dict(_BASE),
        {
            "Locations": Nav("Locations", True, "locations", "things"),
            "HistoricalLocations": Nav("HistoricalLocations", True, "historical_locations", "thing"),
            "Datastreams": Nav("Datastreams", True, "datastreams", "thing"),
        },
        ("name", "description"),
        frozenset({"properties"}),
    ),
    "Locations": EntitySet(
        "Locations",
        "Location",
        m.Location,
        {**_BASE, "encodingType": "encoding_type", "location": "location"},
        {
            "Things": Nav("Things", True, "things", "locations"),
            "HistoricalLocations": Nav("HistoricalLocations", True, "historical_locations", "locations"),
        },
        ("name", "description", "encodingType", "location"),
        frozenset({"properties", "location"}),
        frozenset({"location"}),
    ),
    "HistoricalLocations": EntitySet(
        "HistoricalLocations",
        "HistoricalLocation",
        m.HistoricalLocation,
        {"time": "time"},
        {
            "Thing": Nav("Things", False, "thing", fk="thing_id"),
            "Locations": Nav("Locations", True, "locations", "historical_locations"),
        },
        ("time",),
    ),
    "Datastreams": EntitySet(
        "Datastreams",
        "Datastream",
        m.Datastream,
        {
            **_BASE,
            "unitOfMeasurement": "unit_of_measurement",
            "observationType": "observation_type",
            "observedArea": "observed_area",
            "phenomenonTime": "",
            "resultTime": "",
        },
        {
            "Thing": Nav("Things", False, "thing", fk="thing_id"),
            "Sensor": Nav("Sensors", False, "sensor", fk="sensor_id"),
            "ObservedProperty": Nav("ObservedProperties", False, "observed_property", fk="observed_property_id"),
            "Observations": Nav("Observations", True, "", "datastream_id"),
        },
        ("name", "description", "unitOfMeasurement", "observationType"),
        frozenset({"properties", "unitOfMeasurement", "observedArea"}),
        frozenset({"observedArea"}),
        {
            "phenomenonTime": ("phenomenon_start", "phenomenon_end"),
            "resultTime": ("result_time_start", "result_time_end"),
        },
    ),
    "Sensors": EntitySet(
        "Sensors",
        "Sensor",
        m.Sensor,
        {**_BASE, "encodingType": "encoding_type", "metadata": "metadata"},
        {"Datastreams": Nav("Datastreams", True, "datastreams", "sensor")},
        ("name", "description", "encodingType", "metadata"),
        frozenset({"properties", "metadata"}),
    ),
    "ObservedProperties": EntitySet(
        "ObservedProperties",
        "ObservedProperty",
        m.ObservedProperty,
        {**_BASE, "definition": "definition"},
        {"Datastreams": Nav("Datastreams", True, "datastreams", "observed_property")},
        ("name", "definition", "description"),
        frozenset({"properties"}),
    ),
    "FeaturesOfInterest": EntitySet(
        "FeaturesOfInterest",
        "FeatureOfInterest",
        m.FeatureOfInterest,
        {**_BASE, "encodingType": "encoding_type", "feature": "feature"},
        {"Observations": Nav("Observations", True, "", "foi_id")},
        ("name", "description", "encodingType", "feature"),
        frozenset({"properties", "feature"}),
        frozenset({"feature"}),
    ),
    "Observations": EntitySet(
        "Observations",
        "Observation",
        None,
        {"phenomenonTime": "", "result": "", "resultTime": "", "resultQuality": "", "validTime": "", "parameters": ""},
        {
            "Datastream": Nav("Datastreams", False, fk="datastream_id"),
            "FeatureOfInterest": Nav("FeaturesOfInterest", False, fk="foi_id"),
        },
        ("result",),
    ),
}
SINGULAR_TO_SET = {s.singular: s.name for s in SETS.values()}


def plain_props(es: EntitySet, obj: Any) -> dict[str, Any]:
    """The STA properties of a database entity, in the order of the specification."""
    out: dict[str, Any] = {}
    for prop, fieldname in es.props.items():
        if prop in es.intervals:
            start, end = es.intervals[prop]
            out[prop] = iso_interval(getattr(obj, start), getattr(obj, end))
            if out[prop] is None:
                del out[prop]
            continue
        value = getattr(obj, fieldname)
        if prop == "time":
            value = iso(value)
        if value is None and prop in {"properties", "observedArea"}:
            continue
        out[prop] = value
    return out
