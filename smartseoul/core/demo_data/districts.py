"""Seoul's 25 districts (gu): official administrative codes, names, approximate centres and
populations (rounded, 2023 resident registration). The demo's district SHAPES are this
project's own approximations (a Voronoi partition of these centres inside a rough city
outline), clearly marked `boundary_source=demo`; `smartseoul import-boundaries` loads the
official ones."""

from __future__ import annotations

# code, Korean name, English name, centre latitude, centre longitude, population
DISTRICTS: list[tuple[str, str, str, float, float, int]] = [
    ("11110", "종로구", "Jongno-gu", 37.5949, 126.9774, 140_000),
    ("11140", "중구", "Jung-gu", 37.5601, 126.9959, 122_000),
    ("11170", "용산구", "Yongsan-gu", 37.5311, 126.9810, 217_000),
    ("11200", "성동구", "Seongdong-gu", 37.5506, 127.0410, 280_000),
    ("11215", "광진구", "Gwangjin-gu", 37.5469, 127.0857, 337_000),
    ("11230", "동대문구", "Dongdaemun-gu", 37.5819, 127.0548, 344_000),
    ("11260", "중랑구", "Jungnang-gu", 37.5978, 127.0929, 385_000),
    ("11290", "성북구", "Seongbuk-gu", 37.6057, 127.0175, 425_000),
    ("11305", "강북구", "Gangbuk-gu", 37.6431, 127.0111, 292_000),
    ("11320", "도봉구", "Dobong-gu", 37.6688, 127.0322, 312_000),
    ("11350", "노원구", "Nowon-gu", 37.6525, 127.0750, 500_000),
    ("11380", "은평구", "Eunpyeong-gu", 37.6191, 126.9270, 466_000),
    ("11410", "서대문구", "Seodaemun-gu", 37.5778, 126.9395, 305_000),
    ("11440", "마포구", "Mapo-gu", 37.5594, 126.9084, 369_000),
    ("11470", "양천구", "Yangcheon-gu", 37.5248, 126.8555, 438_000),
    ("11500", "강서구", "Gangseo-gu", 37.5610, 126.8228, 563_000),
    ("11530", "구로구", "Guro-gu", 37.4946, 126.8567, 395_000),
    ("11545", "금천구", "Geumcheon-gu", 37.4606, 126.9008, 231_000),
    ("11560", "영등포구", "Yeongdeungpo-gu", 37.5222, 126.9103, 376_000),
    ("11590", "동작구", "Dongjak-gu", 37.4981, 126.9516, 380_000),
    ("11620", "관악구", "Gwanak-gu", 37.4673, 126.9454, 487_000),
    ("11650", "서초구", "Seocho-gu", 37.4731, 127.0311, 413_000),
    ("11680", "강남구", "Gangnam-gu", 37.4966, 127.0629, 537_000),
    ("11710", "송파구", "Songpa-gu", 37.5056, 127.1153, 656_000),
    ("11740", "강동구", "Gangdong-gu", 37.5502, 127.1470, 463_000),
]

# A rough outline of the city (lon, lat), drawn for the demo only.
CITY_OUTLINE: list[tuple[float, float]] = [
    (126.765, 37.585), (126.800, 37.610), (126.860, 37.640), (126.900, 37.665), (126.960, 37.655),
    (127.000, 37.690), (127.040, 37.700), (127.090, 37.695), (127.115, 37.650), (127.110, 37.600),
    (127.150, 37.575), (127.185, 37.555), (127.170, 37.520), (127.140, 37.470), (127.100, 37.455),
    (127.060, 37.445), (127.030, 37.430), (126.990, 37.435), (126.950, 37.440), (126.905, 37.430),
    (126.870, 37.445), (126.830, 37.475), (126.815, 37.505), (126.790, 37.530), (126.765, 37.555),
    (126.765, 37.585),
]
