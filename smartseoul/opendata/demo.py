"""The Seoul open-data demo: publishers (city departments, the 25 districts, invested
institutions, a private partner), a catalogue across the 12 categories with generated tables
(parking lots, bus stops, air quality, libraries, cooling shelters …), usage history, data
requests, gallery apps and disclosed documents. Every value is generated; idempotent."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from smartseoul.core import clock
from smartseoul.core.selectors import districts

from . import services
from .constants import Frequency, PublisherKind
from .models import DataRequest, Dataset, Document, Organization, Showcase, UsageDaily

INSTITUTIONS = [
    ("seoul-metro", "서울교통공사", "Seoul Metro", PublisherKind.INSTITUTION),
    ("sh-corp", "서울주택도시공사", "Seoul Housing & Communities Corporation", PublisherKind.INSTITUTION),
    ("seoul-facilities", "서울시설공단", "Seoul Facilities Corporation", PublisherKind.INSTITUTION),
    ("seoul-institute", "서울연구원", "The Seoul Institute", PublisherKind.INSTITUTION),
    ("living-population-partner", "생활인구 데이터 협력사", "Living population data partner", PublisherKind.PRIVATE),
]
CITY_ORGS = [
    ("seoul-transport", "서울특별시 교통정책과", "Seoul Transport Policy Division"),
    ("seoul-environment", "서울특별시 기후환경본부", "Seoul Climate and Environment HQ"),
    ("seoul-safety", "서울특별시 안전총괄실", "Seoul Safety Management Office"),
    ("seoul-welfare", "서울특별시 복지정책과", "Seoul Welfare Policy Division"),
    ("seoul-culture", "서울특별시 문화정책과", "Seoul Culture Policy Division"),
    ("seoul-data", "서울특별시 데이터전략과", "Seoul Data Strategy Division"),
    ("seoul-budget", "서울특별시 예산담당관", "Seoul Budget Office"),
    ("seoul-housing", "서울특별시 주택정책과", "Seoul Housing Policy Division"),
    ("seoul-economy", "서울특별시 경제정책과", "Seoul Economic Policy Division"),
    ("seoul-education", "서울특별시 평생교육과", "Seoul Lifelong Education Division"),
]


_EN = {"lat": "Latitude", "lon": "Longitude", "fee_10min": "Fee (10 min)", "pm10": "PM10", "pm25": "PM2.5"}


def _f(id_: str, type_: str, label: str, api: str | None = None) -> dict[str, Any]:
    """A column: its Korean label as publishers write it, and an English one for English pages."""
    label_en = _EN.get(id_) or id_.replace("_", " ").capitalize()
    return {"id": id_, "type": type_, "info": {"label": label, "label_en": label_en, "api_name": api or id_.upper()}}


def _district_rows() -> list[Any]:
    return list(districts())


def _point(rng: random.Random, d: Any, spread: float = 0.018) -> tuple[float, float]:
    return round(d.centroid_lat + rng.uniform(-spread, spread), 6), round(
        d.centroid_lon + rng.uniform(-spread, spread), 6
    )


def _parking(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    n = 0
    for d in ds:
        for i in range(rng.randint(8, 20)):
            n += 1
            lat, lon = _point(rng, d)
            yield {
                "parking_code": f"PK{d.code}{i:03d}",
                "parking_name": f"{d.name_ko} 공영주차장 {i + 1}",
                "district": d.name_ko,
                "district_code": d.code,
                "capacity": rng.choice([20, 40, 60, 120, 250]),
                "fee_10min": rng.choice([300, 500, 800, 1000]),
                "weekday_open": "09:00",
                "weekday_close": "21:00",
                "lat": lat,
                "lon": lon,
            }


def _bus_stops(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    n = 100000
    for d in ds:
        for i in range(rng.randint(50, 90)):
            n += 1
            lat, lon = _point(rng, d, 0.025)
            yield {
                "stop_id": n,
                "ars_id": f"{int(d.code[2:4]):02d}{i:03d}",
                "stop_name": f"{d.name_ko}{i + 1}번 정류소",
                "district_code": d.code,
                "lat": lat,
                "lon": lon,
            }


def _air_now(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    now = clock.now().replace(minute=0, second=0, microsecond=0, tzinfo=None)
    for d in ds:
        pm10, pm25 = rng.randint(15, 95), rng.randint(6, 55)
        grade = "좋음" if pm10 <= 30 and pm25 <= 15 else "보통" if pm10 <= 80 and pm25 <= 35 else "나쁨"
        yield {
            "measured_at": now,
            "district": d.name_ko,
            "district_code": d.code,
            "pm10": pm10,
            "pm25": pm25,
            "o3": round(rng.uniform(0.01, 0.07), 3),
            "no2": round(rng.uniform(0.008, 0.05), 3),
            "grade": grade,
        }


def _air_history(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    start = (clock.now() - timedelta(days=14)).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    for h in range(14 * 24):
        at = start + timedelta(hours=h)
        for d in ds:
            yield {
                "measured_at": at,
                "district_code": d.code,
                "district": d.name_ko,
                "pm10": rng.randint(10, 110),
                "pm25": rng.randint(4, 70),
            }


def _libraries(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    n = 0
    for d in ds:
        for i in range(rng.randint(3, 10)):
            n += 1
            lat, lon = _point(rng, d)
            yield {
                "library_id": n,
                "library_name": f"{d.name_ko}립 {['중앙', '어린이', '작은', '구립'][i % 4]}도서관 {i + 1}",
                "district_code": d.code,
                "books": rng.randint(8000, 250000),
                "seats": rng.randint(20, 400),
                "closed_day": rng.choice(["월요일", "매주 월요일, 법정공휴일", "둘째·넷째 월요일"]),
                "lat": lat,
                "lon": lon,
            }


def _shelters(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    n = 0
    for d in ds:
        for i in range(rng.randint(25, 45)):
            n += 1
            lat, lon = _point(rng, d)
            yield {
                "shelter_id": n,
                "shelter_name": f"{d.name_ko} {['경로당', '주민센터', '복지관', '은행'][i % 4]} 쉼터 {i + 1}",
                "district_code": d.code,
                "kind": ["노인시설", "주민센터", "복지회관", "금융기관"][i % 4],
                "capacity": rng.randint(10, 80),
                "night_open": rng.random() < 0.2,
                "lat": lat,
                "lon": lon,
            }


def _population(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    for d in ds:
        pop = d.population or rng.randint(150000, 650000)
        yield {
            "district_code": d.code,
            "district": d.name_ko,
            "population": pop,
            "households": int(pop / rng.uniform(2.0, 2.4)),
            "foreigners": int(pop * rng.uniform(0.01, 0.09)),
            "aged_65_plus": int(pop * rng.uniform(0.14, 0.22)),
        }


def _budget(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
    for year in (2023, 2024, 2025):
        for code, ko, _en in CITY_ORGS:
            yield {
                "year": year,
                "department_code": code,
                "department": ko,
                "budget_million_krw": rng.randint(50_000, 2_500_000),
                "spent_ratio": round(rng.uniform(0.7, 0.99), 3),
            }


def _per_district(columns: list[tuple[str, Callable[[random.Random], Any]]]) -> Callable[..., Iterator[dict[str, Any]]]:
    def rows(rng: random.Random, ds: list[Any]) -> Iterator[dict[str, Any]]:
        for d in ds:
            yield {"district_code": d.code, "district": d.name_ko, **{c: f(rng) for c, f in columns}}

    return rows


# name, title_ko, title_en, category, org, service, filters, pk, frequency, tags, fields, rows
CATALOGUE: list[tuple[Any, ...]] = [
    (
        "seoul-public-parking",
        "서울시 공영주차장 안내 정보",
        "Seoul public parking lots",
        "transport",
        "seoul-transport",
        "GetParkInfo",
        ["district"],
        ["parking_code"],
        Frequency.MONTHLY,
        ["주차", "주차장", "교통"],
        [
            _f("parking_code", "string", "주차장코드"),
            _f("parking_name", "string", "주차장명"),
            _f("district", "string", "자치구"),
            _f("district_code", "string", "자치구코드"),
            _f("capacity", "integer", "총 주차면"),
            _f("fee_10min", "integer", "기본요금(10분)"),
            _f("weekday_open", "string", "평일 운영 시작"),
            _f("weekday_close", "string", "평일 운영 종료"),
            _f("lat", "number", "위도"),
            _f("lon", "number", "경도"),
        ],
        _parking,
    ),
    (
        "seoul-bus-stops",
        "서울시 버스정류소 위치정보",
        "Seoul bus stop locations",
        "transport",
        "seoul-transport",
        "busStopLocationXyInfo",
        ["district_code"],
        ["stop_id"],
        Frequency.MONTHLY,
        ["버스", "정류소", "교통"],
        [
            _f("stop_id", "integer", "정류소ID", "STOPS_NO"),
            _f("ars_id", "string", "ARS번호"),
            _f("stop_name", "string", "정류소명", "STOPS_NM"),
            _f("district_code", "string", "자치구코드"),
            _f("lat", "number", "위도", "YCODE"),
            _f("lon", "number", "경도", "XCODE"),
        ],
        _bus_stops,
    ),
    (
        "seoul-air-quality-now",
        "서울시 자치구별 실시간 대기환경 현황",
        "Real-time air quality by district",
        "environment",
        "seoul-environment",
        "RealtimeCityAir",
        ["district"],
        ["district_code"],
        Frequency.REALTIME,
        ["대기질", "미세먼지", "환경"],
        [
            _f("measured_at", "datetime", "측정일시", "MSRDT"),
            _f("district", "string", "측정소명", "MSRSTE_NM"),
            _f("district_code", "string", "자치구코드"),
            _f("pm10", "integer", "미세먼지(㎍/㎥)", "PM10"),
            _f("pm25", "integer", "초미세먼지(㎍/㎥)", "PM25"),
            _f("o3", "number", "오존(ppm)", "O3"),
            _f("no2", "number", "이산화질소(ppm)", "NO2"),
            _f("grade", "string", "통합대기등급", "IDEX_NM"),
        ],
        _air_now,
    ),
    (
        "seoul-air-quality-hourly",
        "서울시 시간별 대기오염도 정보",
        "Hourly air pollution by district",
        "environment",
        "seoul-environment",
        "TimeAverageAirQuality",
        ["district_code"],
        [],
        Frequency.DAILY,
        ["대기질", "미세먼지"],
        [
            _f("measured_at", "datetime", "측정일시"),
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("pm10", "integer", "미세먼지"),
            _f("pm25", "integer", "초미세먼지"),
        ],
        _air_history,
    ),
    (
        "seoul-public-libraries",
        "서울시 공공도서관 현황정보",
        "Seoul public libraries",
        "education",
        "seoul-education",
        "SeoulLibraryInfo",
        ["district_code"],
        ["library_id"],
        Frequency.QUARTERLY,
        ["도서관", "교육", "문화"],
        [
            _f("library_id", "integer", "도서관ID"),
            _f("library_name", "string", "도서관명"),
            _f("district_code", "string", "자치구코드"),
            _f("books", "integer", "장서수"),
            _f("seats", "integer", "열람좌석수"),
            _f("closed_day", "string", "휴관일"),
            _f("lat", "number", "위도"),
            _f("lon", "number", "경도"),
        ],
        _libraries,
    ),
    (
        "seoul-cooling-shelters",
        "서울시 무더위쉼터 현황",
        "Seoul cooling shelters",
        "safety",
        "seoul-safety",
        "TbGtnHwcwP",
        ["district_code"],
        ["shelter_id"],
        Frequency.ANNUAL,
        ["무더위쉼터", "폭염", "안전"],
        [
            _f("shelter_id", "integer", "쉼터ID"),
            _f("shelter_name", "string", "쉼터명"),
            _f("district_code", "string", "자치구코드"),
            _f("kind", "string", "시설구분"),
            _f("capacity", "integer", "이용가능인원"),
            _f("night_open", "boolean", "야간개방"),
            _f("lat", "number", "위도"),
            _f("lon", "number", "경도"),
        ],
        _shelters,
    ),
    (
        "seoul-population-by-district",
        "서울시 자치구별 인구 및 세대 현황",
        "Population and households by district",
        "population",
        "seoul-data",
        "SeoulPopulationByGu",
        [],
        ["district_code"],
        Frequency.QUARTERLY,
        ["인구", "세대"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("population", "integer", "인구"),
            _f("households", "integer", "세대"),
            _f("foreigners", "integer", "외국인"),
            _f("aged_65_plus", "integer", "65세이상"),
        ],
        _population,
    ),
    (
        "seoul-budget-by-department",
        "서울시 부서별 예산 집행 현황",
        "Budget execution by department",
        "administration",
        "seoul-budget",
        "SeoulBudgetExecution",
        ["year"],
        ["year", "department_code"],
        Frequency.ANNUAL,
        ["예산", "재정"],
        [
            _f("year", "integer", "회계연도"),
            _f("department_code", "string", "부서코드"),
            _f("department", "string", "부서명"),
            _f("budget_million_krw", "integer", "예산(백만원)"),
            _f("spent_ratio", "number", "집행률"),
        ],
        _budget,
    ),
    (
        "seoul-welfare-centres",
        "서울시 자치구별 사회복지관 현황",
        "Social welfare centres by district",
        "welfare",
        "seoul-welfare",
        None,
        [],
        ["district_code"],
        Frequency.ANNUAL,
        ["복지", "복지관"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("centres", "integer", "복지관 수"),
            _f("senior_centres", "integer", "노인복지관 수"),
        ],
        _per_district([("centres", lambda r: r.randint(2, 9)), ("senior_centres", lambda r: r.randint(1, 4))]),
    ),
    (
        "seoul-night-pharmacies",
        "서울시 심야약국 및 달빛어린이병원",
        "Night pharmacies and children's night clinics",
        "health",
        "seoul-welfare",
        None,
        [],
        ["district_code"],
        Frequency.MONTHLY,
        ["약국", "병원", "보건"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("night_pharmacies", "integer", "심야약국"),
            _f("night_clinics", "integer", "달빛어린이병원"),
        ],
        _per_district([("night_pharmacies", lambda r: r.randint(1, 12)), ("night_clinics", lambda r: r.randint(0, 2))]),
    ),
    (
        "seoul-cultural-events",
        "서울시 문화행사 정보",
        "Seoul cultural events",
        "culture",
        "seoul-culture",
        None,
        [],
        [],
        Frequency.DAILY,
        ["공연", "전시", "축제"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("events_this_month", "integer", "이달 행사 수"),
            _f("free_events", "integer", "무료 행사 수"),
        ],
        _per_district([("events_this_month", lambda r: r.randint(5, 80)), ("free_events", lambda r: r.randint(1, 30))]),
    ),
    (
        "seoul-restaurant-licences",
        "서울시 일반음식점 인허가 현황",
        "Restaurant licences by district",
        "economy",
        "seoul-economy",
        None,
        [],
        ["district_code"],
        Frequency.MONTHLY,
        ["상권", "음식점", "인허가"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("open_restaurants", "integer", "영업 중"),
            _f("closed_this_year", "integer", "올해 폐업"),
        ],
        _per_district(
            [
                ("open_restaurants", lambda r: r.randint(3000, 12000)),
                ("closed_this_year", lambda r: r.randint(200, 1400)),
            ]
        ),
    ),
    (
        "seoul-housing-supply",
        "서울시 공공주택 공급 현황",
        "Public housing supply",
        "housing",
        "sh-corp",
        None,
        [],
        ["district_code"],
        Frequency.ANNUAL,
        ["주택", "공공주택", "임대"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("rental_units", "integer", "임대주택 호수"),
            _f("supplied_this_year", "integer", "올해 공급"),
        ],
        _per_district(
            [("rental_units", lambda r: r.randint(2000, 25000)), ("supplied_this_year", lambda r: r.randint(50, 900))]
        ),
    ),
    (
        "seoul-street-trees",
        "서울시 가로수 현황",
        "Street trees by district",
        "urban",
        "seoul-facilities",
        None,
        [],
        ["district_code"],
        Frequency.ANNUAL,
        ["가로수", "녹지", "도시"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("ginkgo", "integer", "은행나무"),
            _f("plane", "integer", "양버즘나무"),
            _f("zelkova", "integer", "느티나무"),
        ],
        _per_district(
            [
                ("ginkgo", lambda r: r.randint(500, 6000)),
                ("plane", lambda r: r.randint(300, 4000)),
                ("zelkova", lambda r: r.randint(200, 3000)),
            ]
        ),
    ),
    (
        "seoul-subway-ridership",
        "서울교통공사 역별 일평균 승하차 인원",
        "Subway ridership by district",
        "transport",
        "seoul-metro",
        "CardSubwayStatsNew",
        [],
        ["district_code"],
        Frequency.DAILY,
        ["지하철", "승하차", "교통"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("boardings", "integer", "승차"),
            _f("alightings", "integer", "하차"),
        ],
        _per_district(
            [("boardings", lambda r: r.randint(40000, 400000)), ("alightings", lambda r: r.randint(40000, 400000))]
        ),
    ),
    (
        "seoul-living-population",
        "서울 생활인구 (자치구 단위)",
        "Living population by district",
        "population",
        "living-population-partner",
        None,
        [],
        ["district_code"],
        Frequency.DAILY,
        ["생활인구", "유동인구"],
        [
            _f("district_code", "string", "자치구코드"),
            _f("district", "string", "자치구"),
            _f("daytime", "integer", "주간 생활인구"),
            _f("night", "integer", "야간 생활인구"),
        ],
        _per_district(
            [("daytime", lambda r: r.randint(200000, 900000)), ("night", lambda r: r.randint(150000, 700000))]
        ),
    ),
]
LINKS = [
    (
        "seoul-urban-plan-map",
        "서울 도시계획 포털 지도",
        "Seoul urban planning map",
        "urban",
        "seoul-housing",
        "https://urban.seoul.go.kr/",
        "HTML",
    ),
    (
        "seoul-safety-map",
        "서울 안전지도",
        "Seoul safety map",
        "safety",
        "seoul-safety",
        "https://safemap.go.kr/",
        "HTML",
    ),
    (
        "seoul-research-reports",
        "서울연구원 연구보고서 목록",
        "Seoul Institute research reports",
        "administration",
        "seoul-institute",
        "https://www.si.re.kr/",
        "HTML",
    ),
]


def _user(username: str) -> Any:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _orgs(ds: list[Any]) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for code, ko, en in CITY_ORGS:
        orgs[code] = services.organization_ensure(
            name=code, title_ko=ko, title_en=en, kind=PublisherKind.CITY, department_code=code
        )
    for d in ds:
        slug = (d.name_en or d.code).lower().replace(" ", "-")
        orgs[d.code] = services.organization_ensure(
            name=slug,
            title_ko=f"서울특별시 {d.name_ko}",
            title_en=d.name_en,
            kind=PublisherKind.DISTRICT,
            district_code=d.code,
        )
    for name, ko, en, kind in INSTITUTIONS:
        orgs[name] = services.organization_ensure(name=name, title_ko=ko, title_en=en, kind=kind)
    return orgs


def _district_datasets(rng: random.Random, ds: list[Any], orgs: dict[str, Organization]) -> None:
    """Each district publishes its own parking lots and cooling shelters."""
    for d in ds:
        org = orgs[d.code]
        slug = org.name
        for suffix, title, title_en, cat, rows, fields in (
            (
                "parking",
                f"{d.name_ko} 공영주차장을 이용하세요: 주차장 현황",
                f"{d.name_en} public parking lots",
                "transport",
                [r for r in _parking(rng, [d])],
                [
                    _f("parking_code", "string", "주차장코드"),
                    _f("parking_name", "string", "주차장명"),
                    _f("capacity", "integer", "주차면수"),
                    _f("fee_10min", "integer", "요금(10분)"),
                    _f("lat", "number", "위도"),
                    _f("lon", "number", "경도"),
                ],
            ),
            (
                "shelters",
                f"{d.name_ko} 무더위쉼터 위치",
                f"{d.name_en} cooling shelters",
                "safety",
                [r for r in _shelters(rng, [d])],
                [
                    _f("shelter_name", "string", "쉼터명"),
                    _f("kind", "string", "구분"),
                    _f("capacity", "integer", "수용인원"),
                    _f("lat", "number", "위도"),
                    _f("lon", "number", "경도"),
                ],
            ),
        ):
            name = f"{slug}-{suffix}"
            if Dataset.objects.filter(name=name).exists():
                continue
            dataset = services.dataset_create(
                actor=None,
                organization=org,
                name=name,
                title_ko=title,
                title_en=title_en,
                description_ko=f"{d.name_ko}에서 관리하는 {title} 자료입니다.",
                description_en=f"{title_en}, as kept by {d.name_en}.",
                category=cat,
                licence="KOGL-1",
                frequency=Frequency.QUARTERLY,
                tags=[d.name_ko, "자치구"],
                spatial=d.code,
                state="active",
                temporal_start=date(2024, 1, 1),
            )
            services.table_write(actor=None, dataset=dataset, resource_name=name, fields=fields, rows=rows)


def _usage(rng: random.Random) -> None:
    today = clock.today_local().date()
    if UsageDaily.objects.filter(day=today - timedelta(days=1)).exists():
        return
    rows = []
    for ds in Dataset.objects.filter(state="active").only("pk"):
        weight = rng.uniform(0.2, 3.0)
        for i in range(1, 31):
            rows.append(
                UsageDaily(
                    dataset_id=ds.pk,
                    day=today - timedelta(days=i),
                    views=int(rng.randint(5, 60) * weight),
                    downloads=int(rng.randint(0, 15) * weight),
                    api_calls=int(rng.randint(0, 400) * weight),
                )
            )
    UsageDaily.objects.bulk_create(rows, ignore_conflicts=True)
    for ds in Dataset.objects.filter(state="active"):
        total = sum(u.views + u.downloads + u.api_calls for u in ds.usage.all())
        Dataset.objects.filter(pk=ds.pk).update(usage_total=total)


DOCUMENTS = [
    (
        "교통정책과-2025-1021",
        "2025년 공영주차장 요금 조정 계획",
        "approval",
        "seoul-transport",
        "공영주차장 요금 체계를 지역 여건에 맞게 조정하고자 합니다.\n1. 추진 배경\n2. 조정안\n3. 향후 일정",
    ),
    (
        "예산담당관-2025-0412",
        "2025년도 제1회 추가경정예산 편성 결과",
        "budget",
        "seoul-budget",
        "세입·세출 예산 총괄표와 사업별 증감 내역을 공개합니다.",
    ),
    (
        "기후환경본부-2025-0930",
        "미세먼지 저감 대책 회의 결과",
        "minutes",
        "seoul-environment",
        "일시: 2025. 9. 30. 14:00\n참석: 기후환경본부장 외 12명\n논의: 계절관리제 추진 상황, 자치구 협력 방안",
    ),
    (
        "안전총괄실-2025-0611",
        "무더위쉼터 운영 계획 알림",
        "announcement",
        "seoul-safety",
        "여름철 폭염에 대비하여 무더위쉼터를 운영합니다. 운영기간: 6월 ~ 9월",
    ),
    (
        "데이터전략과-2025-0301",
        "공공데이터 개방 실적 통계",
        "statistics",
        "seoul-data",
        "2024년 공공데이터 신규 개방 412건, 활용 건수 13억 건을 기록하였습니다.",
    ),
    (
        "주택정책과-2025-0815",
        "공공임대주택 유지보수 용역 계약 결과",
        "contract",
        "seoul-housing",
        "계약방법: 제한경쟁입찰\n계약금액: 1,234,000,000원\n계약기간: 2025. 9. 1. ~ 2026. 8. 31.",
    ),
]


def _documents() -> None:
    for number, title, kind, dept, body in DOCUMENTS:
        if Document.objects.filter(number=number).exists():
            continue
        doc = services.document_create(
            actor=None,
            number=number,
            title=title,
            body=body,
            doc_type=kind,
            department_code=dept,
            produced_on=clock.today_local().date() - timedelta(days=30),
        )
        if not doc.findings.exists():
            with transaction.atomic():
                doc.status, doc.published_at = "published", clock.now()
                doc.save(update_fields=["status", "published_at"])
                services.search.index("document", doc.pk, doc.search_text)
    number = "복지정책과-2025-0707"
    if not Document.objects.filter(number=number).exists():
        services.document_create(
            actor=None,
            number=number,
            title="긴급복지 지원 대상자 선정 회의록",
            doc_type="minutes",
            department_code="seoul-welfare",
            produced_on=clock.today_local().date() - timedelta(days=10),
            body="대상자 연락처 010-2345-6789 및 주민등록번호 900101-1234568 기재 — 공개 전 가림 처리 필요",
        )


def _requests_and_apps() -> None:
    citizen = _user("opendata-demo-citizen")
    if not DataRequest.objects.exists():
        services.data_request_create(
            requester=citizen,
            title="자치구별 전기차 충전소 실시간 이용 현황",
            description="충전기별 사용 중 여부를 5분 단위로 제공해 주세요.",
            category="transport",
            department_code="seoul-transport",
            purpose="충전소 안내 앱",
        )
        services.data_request_create(
            requester=citizen,
            title="공공도서관 좌석 실시간 잔여 현황",
            description="열람실 잔여 좌석을 API로 받고 싶습니다.",
            category="education",
            department_code="seoul-education",
        )
    if not Showcase.objects.exists():
        for title, url, names in (
            ("서울 주차 도우미", "https://example.org/parking-helper", ["seoul-public-parking"]),
            ("우리동네 미세먼지 알림", "https://example.org/air-alert", ["seoul-air-quality-now"]),
            ("폭염 쉼터 찾기", "https://example.org/cool-shelter", ["seoul-cooling-shelters"]),
        ):
            item = services.showcase_submit(
                author=citizen,
                title=title,
                description=f"{title}: 열린데이터 활용 서비스",
                url=url,
                dataset_names=[n for n in names if Dataset.objects.filter(name=n).exists()],
            )
            Showcase.objects.filter(pk=item.pk).update(status="approved", moderated_at=clock.now())


def load_demo() -> None:
    rng = random.Random(20251101)  # noqa: S311  (demo data, reproducible, not a secret)
    ds = _district_rows()
    if not ds:
        return
    orgs = _orgs(ds)
    for name, ko, en, cat, org, service, filters, pk, freq, tags, fields, gen in CATALOGUE:
        if Dataset.objects.filter(name=name).exists():
            continue
        dataset = services.dataset_create(
            actor=None,
            organization=orgs[org],
            name=name,
            title_ko=ko,
            title_en=en,
            description_ko=f"{ko} 자료입니다. 서울 열린데이터 광장에서 시트, 차트, 지도, Open API로 제공합니다.",
            description_en=f"{en}. Served as a sheet, chart, map and Open API.",
            category=cat,
            licence="KOGL-1",
            frequency=freq,
            tags=tags,
            service_name=service,
            api_filters=filters,
            primary_key=pk,
            state="active",
            temporal_start=date(2024, 1, 1),
        )
        services.table_write(actor=None, dataset=dataset, resource_name=name, fields=fields, rows=list(gen(rng, ds)))
        services.resource_create(
            actor=None,
            dataset=dataset,
            name=f"{ko} 이용 안내 (PDF)",
            kind="link",
            format="PDF",
            url=f"https://data.seoul.go.kr/dataList/{name}.do",
        )
    for name, ko, en, cat, org, url, fmt in LINKS:
        if Dataset.objects.filter(name=name).exists():
            continue
        dataset = services.dataset_create(
            actor=None,
            organization=orgs[org],
            name=name,
            title_ko=ko,
            title_en=en,
            description_ko=f"{ko} 바로가기",
            category=cat,
            state="active",
        )
        services.resource_create(actor=None, dataset=dataset, name=ko, kind="link", format=fmt, url=url)
    _district_datasets(rng, ds, orgs)
    # First publication of every module export; later refreshes are the scheduler's daily work,
    # so a second demo run publishes nothing new.
    from smartseoul.core.registry import exports

    from .selectors import exported_keys

    services.exports_refresh_all([e for e in exports() if e.key not in exported_keys()])
    _usage(rng)
    _documents()
    _requests_and_apps()
