"""The catalogue's fixed vocabularies: the 12 categories, licences, update frequencies, formats.

Categories follow the Seoul Open Data Plaza; licences are the Korea Open Government Licence
(공공누리, KOGL) types plus Creative Commons; frequencies map to the EU frequency authority
table used by DCAT-AP.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    HEALTH = "health", _("Health")
    ADMINISTRATION = "administration", _("General administration")
    CULTURE = "culture", _("Culture and tourism")
    ECONOMY = "economy", _("Industry and economy")
    WELFARE = "welfare", _("Welfare")
    ENVIRONMENT = "environment", _("Environment")
    TRANSPORT = "transport", _("Transportation")
    URBAN = "urban", _("Urban management")
    EDUCATION = "education", _("Education")
    SAFETY = "safety", _("Safety")
    POPULATION = "population", _("Population and households")
    HOUSING = "housing", _("Housing and construction")


CATEGORY_KO = {
    "health": "보건",
    "administration": "일반행정",
    "culture": "문화/관광",
    "economy": "산업/경제",
    "welfare": "복지",
    "environment": "환경",
    "transport": "교통",
    "urban": "도시관리",
    "education": "교육",
    "safety": "안전",
    "population": "인구/가구",
    "housing": "주택/건설",
}
CATEGORY_EN = {
    "health": "Health",
    "administration": "General administration",
    "culture": "Culture and tourism",
    "economy": "Industry and economy",
    "welfare": "Welfare",
    "environment": "Environment",
    "transport": "Transportation",
    "urban": "Urban management",
    "education": "Education",
    "safety": "Safety",
    "population": "Population and households",
    "housing": "Housing and construction",
}
# EU data theme vocabulary (DCAT-AP's recommended dcat:theme scheme) for each category.
CATEGORY_EU_THEME = {
    "health": "HEAL",
    "administration": "GOVE",
    "culture": "EDUC",
    "economy": "ECON",
    "welfare": "SOCI",
    "environment": "ENVI",
    "transport": "TRAN",
    "urban": "REGI",
    "education": "EDUC",
    "safety": "JUST",
    "population": "SOCI",
    "housing": "REGI",
}
# Icons of the platform's sprite (static/smartseoul/icons.svg) drawn beside each category.
CATEGORY_ICON = {
    "health": "care",
    "administration": "building",
    "culture": "calendar",
    "economy": "won",
    "welfare": "user",
    "environment": "air",
    "transport": "bus",
    "urban": "layers",
    "education": "catalogue",
    "safety": "shield",
    "population": "chart",
    "housing": "home",
}


class PublisherKind(models.TextChoices):
    CITY = "city", _("City department")
    DISTRICT = "district", _("District office")
    INSTITUTION = "institution", _("Invested institution")
    PRIVATE = "private", _("Private partner")


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    title_ko: str
    url: str
    is_open: bool
    commercial: bool
    derivatives: bool


LICENCES: dict[str, Licence] = {
    lic.id: lic
    for lic in (
        Licence(
            "KOGL-1",
            "Korea Open Government Licence Type 1 (attribution)",
            "공공누리 제1유형 (출처표시)",
            "https://www.kogl.or.kr/info/licenseType1.do",
            True,
            True,
            True,
        ),
        Licence(
            "KOGL-2",
            "Korea Open Government Licence Type 2 (attribution, non-commercial)",
            "공공누리 제2유형 (출처표시, 상업적 이용금지)",
            "https://www.kogl.or.kr/info/licenseType2.do",
            False,
            False,
            True,
        ),
        Licence(
            "KOGL-3",
            "Korea Open Government Licence Type 3 (attribution, no derivatives)",
            "공공누리 제3유형 (출처표시, 변경금지)",
            "https://www.kogl.or.kr/info/licenseType3.do",
            False,
            True,
            False,
        ),
        Licence(
            "KOGL-4",
            "Korea Open Government Licence Type 4 (attribution, non-commercial, no derivatives)",
            "공공누리 제4유형 (출처표시, 상업적 이용금지, 변경금지)",
            "https://www.kogl.or.kr/info/licenseType4.do",
            False,
            False,
            False,
        ),
        Licence(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "크리에이티브 커먼즈 저작자표시 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
            True,
            True,
            True,
        ),
        Licence(
            "CC0-1.0",
            "Creative Commons Zero 1.0 (public domain)",
            "CC0 1.0 (퍼블릭 도메인)",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            True,
            True,
            True,
        ),
    )
}


class Frequency(models.TextChoices):
    REALTIME = "realtime", _("real time")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    ANNUAL = "annual", _("annual")
    IRREGULAR = "irregular", _("irregular")
    NEVER = "never", _("not updated")


FREQUENCY_EU = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}


class ResourceKind(models.TextChoices):
    FILE = "file", _("file")
    TABLE = "table", _("sheet (table)")
    API = "api", _("Open API")
    LINK = "link", _("link")
    CHART = "chart", _("chart")
    MAP = "map", _("map")


MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "PARQUET": "application/vnd.apache.parquet",
    "XML": "application/xml",
    "PDF": "application/pdf",
    "HWP": "application/x-hwp",
    "ZIP": "application/zip",
    "GEOJSON": "application/geo+json",
    "HTML": "text/html",
    "TXT": "text/plain",
    "SHP": "application/x-shapefile",
}
# EU file-type authority codes for dct:format.
EU_FILE_TYPES = {
    "CSV": "CSV",
    "JSON": "JSON",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "PARQUET": "PARQUET",
    "XML": "XML",
    "PDF": "PDF",
    "HWP": "HWP",
    "ZIP": "ZIP",
    "GEOJSON": "GEOJSON",
    "HTML": "HTML",
    "TXT": "TXT",
    "SHP": "SHP",
}


class DocumentType(models.TextChoices):
    APPROVAL = "approval", _("approval document")
    BUDGET = "budget", _("budget and finance")
    MINUTES = "minutes", _("meeting minutes")
    CONTRACT = "contract", _("contract result")
    STATISTICS = "statistics", _("statistics")
    ANNOUNCEMENT = "announcement", _("announcement")


class Disclosure(models.TextChoices):
    OPEN = "open", pgettext_lazy("disclosure", "open")
    PARTIAL = "partial", pgettext_lazy("disclosure", "partially open")
    CLOSED = "closed", pgettext_lazy("disclosure", "closed")


# Official Information Disclosure Act, Article 9(1): the grounds for withholding information.
LEGAL_GROUNDS = {
    "art9-1-1": "공공기관의 정보공개에 관한 법률 제9조제1항제1호 (다른 법률에 의한 비밀)",
    "art9-1-2": "제9조제1항제2호 (국가안전보장·국방·통일·외교)",
    "art9-1-3": "제9조제1항제3호 (국민의 생명·신체 및 재산의 보호)",
    "art9-1-4": "제9조제1항제4호 (재판·수사 관련)",
    "art9-1-5": "제9조제1항제5호 (감사·감독·검사·시험·의사결정 과정)",
    "art9-1-6": "제9조제1항제6호 (개인에 관한 사항, 사생활 비밀)",
    "art9-1-7": "제9조제1항제7호 (법인 등의 경영상·영업상 비밀)",
    "art9-1-8": "제9조제1항제8호 (부동산 투기·매점매석 등)",
}
