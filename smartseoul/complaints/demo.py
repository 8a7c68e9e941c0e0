"""The Seoul demo for complaints: 14 categories with Open311 attributes, routing rules for all
25 districts, and a few thousand plausible reports so the Talk Map and dashboard are alive.
Idempotent: categories are upserted, rules kept, reports generated only once."""

from __future__ import annotations

from typing import Any

PARKING_ZONES = [
    {"key": "HYDRANT", "name_ko": "소화전 주변", "name_en": "Fire hydrant"},
    {"key": "CROSSWALK", "name_ko": "횡단보도", "name_en": "Crosswalk"},
    {"key": "BUS", "name_ko": "버스정류소", "name_en": "Bus stop"},
    {"key": "CORNER", "name_ko": "교차로 모퉁이", "name_en": "Intersection corner"},
    {"key": "SCHOOL", "name_ko": "어린이보호구역", "name_en": "School zone"},
    {"key": "SIDEWALK", "name_ko": "인도", "name_en": "Sidewalk"},
]
PLATE = {
    "code": "PLATE",
    "datatype": "string",
    "required": True,
    "order": 1,
    "public": False,
    "description_ko": "차량 번호",
    "description_en": "Licence plate number",
}

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "PARK-01",
        "name_ko": "불법 주정차",
        "name_en": "Illegal parking",
        "group": "traffic",
        "work_category": "parking",
        "response_days": 1,
        "parking_evidence": True,
        "icon": "bus",
        "order": 10,
        "keywords": "주차,parking,car,차량",
        "description_ko": "소화전, 횡단보도, 버스정류소, 교차로 모퉁이, 어린이보호구역, 인도의 불법 주정차",
        "description_en": "Vehicles parked at hydrants, crosswalks, bus stops, corners, school zones or on sidewalks",
        "attributes": [
            PLATE,
            {
                "code": "ZONE",
                "datatype": "singlevaluelist",
                "required": True,
                "order": 2,
                "description_ko": "장소 유형",
                "description_en": "Zone type",
                "values": PARKING_ZONES,
            },
        ],
    },
    {
        "code": "PARK-02",
        "name_ko": "장애인 전용주차구역 위반",
        "name_en": "Disabled parking violation",
        "group": "traffic",
        "work_category": "parking",
        "response_days": 1,
        "parking_evidence": True,
        "icon": "accessible",
        "order": 11,
        "keywords": "장애인,disabled,parking",
        "attributes": [PLATE],
        "description_ko": "장애인 전용주차구역의 불법 주차",
        "description_en": "Parking in a space reserved for disabled drivers",
    },
    {
        "code": "ROAD-01",
        "name_ko": "도로 파손(포트홀)",
        "name_en": "Damaged road (pothole)",
        "group": "road",
        "work_category": "road",
        "response_days": 3,
        "icon": "alert",
        "order": 20,
        "keywords": "포트홀,pothole,road,도로",
        "description_ko": "포트홀, 도로 균열, 맨홀 뚜껑 파손",
        "description_en": "Potholes, cracks and broken manhole covers",
        "attributes": [
            {
                "code": "SIZE",
                "datatype": "singlevaluelist",
                "required": False,
                "order": 1,
                "description_ko": "크기",
                "description_en": "Size",
                "values": [
                    {"key": "S", "name_ko": "작음(손바닥)", "name_en": "Small (hand)"},
                    {"key": "M", "name_ko": "중간(신발)", "name_en": "Medium (shoe)"},
                    {"key": "L", "name_ko": "큼(타이어 이상)", "name_en": "Large (tyre or more)"},
                ],
            }
        ],
    },
    {
        "code": "ROAD-02",
        "name_ko": "도로 결빙·제설",
        "name_en": "Icy or snowy road",
        "group": "road",
        "work_category": "road",
        "response_days": 0,
        "icon": "snow",
        "order": 21,
        "keywords": "제설,결빙,snow,ice",
        "description_ko": "제설이 필요한 도로와 결빙 구간",
        "description_en": "Roads that need snow clearing or gritting",
    },
    {
        "code": "WALK-01",
        "name_ko": "보도블록 파손",
        "name_en": "Broken sidewalk block",
        "group": "road",
        "work_category": "sidewalk",
        "response_days": 5,
        "icon": "pin",
        "order": 30,
        "keywords": "보도,sidewalk,paving",
        "description_ko": "깨지거나 들뜬 보도블록",
        "description_en": "Broken or loose paving on sidewalks",
    },
    {
        "code": "LIGHT-01",
        "name_ko": "가로등·보안등 고장",
        "name_en": "Street light out",
        "group": "road",
        "work_category": "streetlight",
        "response_days": 3,
        "icon": "info",
        "order": 40,
        "keywords": "가로등,streetlight,lamp",
        "description_ko": "꺼지거나 깜박이는 가로등과 보안등",
        "description_en": "Street or security lights that are out or flicker",
        "attributes": [
            {
                "code": "POLE",
                "datatype": "string",
                "required": False,
                "order": 1,
                "description_ko": "전주 번호(있으면)",
                "description_en": "Pole number, if visible",
            }
        ],
    },
    {
        "code": "FAC-01",
        "name_ko": "공공시설물 파손·위험",
        "name_en": "Damaged public facility",
        "group": "facility",
        "work_category": "facility",
        "response_days": 2,
        "icon": "building",
        "order": 50,
        "keywords": "시설물,facility,bench,fence",
        "description_ko": "벤치, 난간, 안내판, 놀이시설 등 공공시설물의 파손",
        "description_en": "Broken benches, railings, signs, playgrounds",
    },
    {
        "code": "WASTE-01",
        "name_ko": "쓰레기 무단투기",
        "name_en": "Illegal dumping and littering",
        "group": "cleaning",
        "work_category": "waste",
        "response_days": 3,
        "icon": "inbox",
        "order": 60,
        "keywords": "쓰레기,waste,litter,dumping",
        "description_ko": "무단투기된 쓰레기와 넘치는 수거함",
        "description_en": "Dumped rubbish and overflowing bins",
    },
    {
        "code": "WASTE-02",
        "name_ko": "대형폐기물 방치",
        "name_en": "Abandoned bulky waste",
        "group": "cleaning",
        "work_category": "waste",
        "response_days": 5,
        "icon": "home",
        "order": 61,
        "keywords": "대형폐기물,bulky,furniture",
        "description_ko": "스티커 없이 버려진 가구와 가전",
        "description_en": "Furniture and appliances left without a disposal sticker",
    },
    {
        "code": "ADV-01",
        "name_ko": "불법 광고물",
        "name_en": "Illegal advertisement",
        "group": "cleaning",
        "work_category": "advertisement",
        "response_days": 3,
        "icon": "megaphone",
        "order": 70,
        "keywords": "현수막,전단지,banner,flyer",
        "description_ko": "불법 현수막, 전단지, 입간판",
        "description_en": "Illegal banners, flyers and A-boards",
        "attributes": [
            {
                "code": "TYPE",
                "datatype": "singlevaluelist",
                "required": False,
                "order": 1,
                "description_ko": "종류",
                "description_en": "Kind",
                "values": [
                    {"key": "BANNER", "name_ko": "현수막", "name_en": "Banner"},
                    {"key": "FLYER", "name_ko": "전단지", "name_en": "Flyer"},
                    {"key": "SIGN", "name_ko": "입간판", "name_en": "A-board"},
                ],
            }
        ],
    },
    {
        "code": "SAFE-01",
        "name_ko": "안전 위험(싱크홀·쓰러진 나무)",
        "name_en": "Safety hazard (sinkhole, fallen tree)",
        "group": "safety",
        "work_category": "safety",
        "response_days": 0,
        "icon": "shield",
        "order": 80,
        "keywords": "싱크홀,안전,sinkhole,hazard",
        "description_ko": "즉시 조치가 필요한 위험",
        "description_en": "Hazards that need immediate action",
    },
    {
        "code": "ENV-01",
        "name_ko": "환경 오염(매연·악취·하천)",
        "name_en": "Pollution (smoke, odour, water)",
        "group": "environment",
        "work_category": "environment",
        "response_days": 5,
        "icon": "air",
        "order": 90,
        "keywords": "악취,매연,pollution,odour",
        "description_ko": "매연, 악취, 하천 오염",
        "description_en": "Smoke, bad smells and polluted streams",
    },
    {
        "code": "NOISE-01",
        "name_ko": "소음",
        "name_en": "Noise",
        "group": "environment",
        "work_category": "noise",
        "response_days": 5,
        "icon": "bell",
        "order": 91,
        "keywords": "소음,noise,construction",
        "description_ko": "공사장, 확성기, 영업장 소음",
        "description_en": "Noise from building sites, loudspeakers, businesses",
        "attributes": [
            {
                "code": "SOURCE",
                "datatype": "multivaluelist",
                "required": False,
                "order": 1,
                "description_ko": "소음원",
                "description_en": "Source",
                "values": [
                    {"key": "CONSTRUCTION", "name_ko": "공사장", "name_en": "Building site"},
                    {"key": "SPEAKER", "name_ko": "확성기", "name_en": "Loudspeaker"},
                    {"key": "BUSINESS", "name_ko": "영업장", "name_en": "Business"},
                ],
            }
        ],
    },
    {
        "code": "TRAF-01",
        "name_ko": "신호등·교통시설 고장",
        "name_en": "Broken traffic signal",
        "group": "traffic",
        "work_category": "traffic",
        "response_days": 1,
        "icon": "signal",
        "order": 100,
        "keywords": "신호등,signal,traffic",
        "description_ko": "고장난 신호등, 쓰러진 표지판, 지워진 차선",
        "description_en": "Broken signals, fallen signs, faded lanes",
    },
]

DEMO_REPORTER = "demo-reporter"
DEMO_REPORTS = 3000


def load_demo() -> None:
    from smartseoul.accounts.models import User
    from smartseoul.accounts.services import user_register, user_set_phone_verified

    from . import selectors, services

    for spec in CATEGORIES:
        services.category_upsert(**spec)
        services.routing_build_defaults(category_code=spec["code"])
    reporter = User.objects.filter(username=DEMO_REPORTER).first()
    if reporter is None:
        import secrets

        reporter = user_register(username=DEMO_REPORTER, password=secrets.token_urlsafe(24))
        reporter.set_unusable_password()
        reporter.save(update_fields=["password"])
        user_set_phone_verified(user=reporter, phone="010-0000-0120")
    if not selectors.my_reports(reporter).exists():
        services.complaints_generate(count=DEMO_REPORTS, reporter=reporter, days=90)
