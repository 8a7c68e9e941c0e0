"""What the sensors module offers the platform: API, pages, SensorThings, widgets, layers,
open-data exports, tiles, demo and commands."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ExportField, MapLayer, ModuleManifest, OpenDataExport, Periodic, Tile, Widget


def _on_day(day: date) -> None:
    from .services.derive import derive_day

    derive_day(day=day)


def _demo() -> None:
    from .demo import load_demo

    load_demo()


def manifest() -> ModuleManifest:
    from . import layers
    from .api import router
    from .commands import COMMANDS
    from .selectors import is_caseworker

    return ModuleManifest(
        name="sensors",
        title=_("City sensors"),
        router=router,
        api_prefix="/sensors",
        urls="smartseoul.sensors.urls",
        url_prefix="sensors/",
        root_urls="smartseoul.sensors.sta.urls",
        widgets=(
            Widget(
                "sensors-air-quality",
                _("Air quality by district"),
                "districts",
                layers.air_quality_widget,
                section="environment",
                order=10,
            ),
            Widget(
                "sensors-alerts",
                _("Heat-wave and fine-dust alerts"),
                "list",
                layers.alerts_widget,
                section="environment",
                order=20,
            ),
        ),
        layers=(
            MapLayer(
                "sensors-boxes",
                _("S-DoT sensor boxes (PM10, PM2.5)"),
                layers.boxes_layer,
                style={"color": "#2a7", "kind": "point"},
                legend={"pm25": "PM2.5 µg/m³"},
                category="environment",
            ),
            MapLayer(
                "sensors-parking",
                _("Shared parking (free spaces)"),
                layers.parking_layer,
                style={"color": "#36c", "kind": "point"},
                legend={"free": _("free spaces")},
                category="transport",
            ),
        ),
        exports=(
            OpenDataExport(
                key="sensors-district-hourly",
                title_ko="S-DoT 자치구별 시간별 측정 통계",
                title_en="S-DoT hourly measurements by district",
                description_ko="S-DoT 도시데이터 센서의 자치구별·항목별 시간 평균, 최솟값, 최댓값과 관측 수.",
                description_en=(
                    "Hourly mean, minimum, maximum and count of S-DoT measurements per district and quantity."
                ),
                category="environment",
                fields=(
                    ExportField("district_code", "string", "district (gu) code", label_ko="자치구 코드"),
                    ExportField("quantity", "string", "measured quantity", label_ko="측정 항목"),
                    ExportField("hour", "datetime", "start of the hour, Korean time", label_ko="시각(한국 시간)"),
                    ExportField("observations", "integer", "number of 2-minute values", label_ko="측정값 수"),
                    ExportField("mean", "number", label_ko="평균"),
                    ExportField("min", "number", label_ko="최솟값"),
                    ExportField("max", "number", label_ko="최댓값"),
                ),
                rows=layers.district_hourly_export,
                frequency="hourly",
                keywords=("S-DoT", "미세먼지", "air quality", "IoT"),
                primary_key=("district_code", "quantity", "hour"),
            ),
        ),
        tiles=(
            Tile(_("Air quality now"), "sensors:map", "air", "live", _("Fine dust, heat and UV by district"), order=20,
                 featured=True),
            Tile(
                _("Sensor alerts"),
                "sensors:alerts",
                "alert",
                "life",
                _("Dust, heat-wave and UV alerts for your district"),
                order=30,
            ),
            Tile(
                _("Senior care"),
                "sensors:care",
                "care",
                "office",
                _("Caseworkers' home-sensor dashboard"),
                order=40,
                allowed=is_caseworker,
            ),
        ),
        on_day=_on_day,
        periodic=(Periodic("sensors-derive", 3600, _derive_today), Periodic("sensors-care", 300, _care_check)),
        demo=_demo,
        commands=COMMANDS,
    )


def _derive_today() -> object:
    from .tasks import derive_today

    return derive_today.call()


def _care_check() -> object:
    from .tasks import care_check_now

    return care_check_now.call()
