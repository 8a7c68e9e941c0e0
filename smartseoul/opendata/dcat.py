"""DCAT-AP 3 catalogue and dataset graphs (STANDARDS.md §3), built with rdflib from the same
selectors as every other interface. Paged with both Hydra vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from .constants import (
    CATEGORY_EN,
    CATEGORY_EU_THEME,
    CATEGORY_KO,
    EU_FILE_TYPES,
    FREQUENCY_EU,
    LICENCES,
    MEDIA_TYPES,
    Category,
    ResourceKind,
)
from .models import Dataset, Organization, Resource
from .selectors import resources_of, tags_of

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"

FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
    "n3": ("n3", "text/n3"),
}
PAGE_SIZE = 100


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("hydra", HYDRA),
        ("xsd", XSD),
    ):
        g.bind(prefix, ns)
    return g


def _dt(value: datetime) -> Literal:
    return Literal(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)


def _text(g: Graph, node: URIRef, prop: URIRef, ko: str, en: str = "") -> None:
    g.add((node, prop, Literal(ko, lang="ko")))
    if en:
        g.add((node, prop, Literal(en, lang="en")))


def _agent(g: Graph, base: str, org: Organization) -> URIRef:
    node = URIRef(f"{base}/organization/{org.name}")
    g.add((node, RDF.type, FOAF.Agent))
    _text(g, node, FOAF.name, org.title_ko, org.title_en)
    g.add((node, DCTERMS.type, URIRef(f"{base}/publisher-kind/{org.kind}")))
    g.add((URIRef(f"{base}/publisher-kind/{org.kind}"), RDF.type, SKOS.Concept))
    g.add((URIRef(f"{base}/publisher-kind/{org.kind}"), SKOS.prefLabel, Literal(org.kind, lang="en")))
    return node


def _city_agent(g: Graph, base: str) -> URIRef:
    node = URIRef(f"{base}/organization/seoul")
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, Literal("서울특별시", lang="ko")))
    g.add((node, FOAF.name, Literal("Seoul Metropolitan Government", lang="en")))
    return node


def _category_scheme(g: Graph, base: str) -> URIRef:
    scheme = URIRef(f"{base}/category")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("서울 열린데이터 광장 분류", lang="ko")))
    g.add((scheme, DCTERMS.title, Literal("Seoul Open Data Plaza categories", lang="en")))
    return scheme


def _typed(g: Graph, uri: str, cls: URIRef) -> URIRef:
    node = URIRef(uri)
    g.add((node, RDF.type, cls))
    return node


def _data_services(g: Graph, base: str) -> tuple[URIRef, URIRef]:
    datastore = URIRef(f"{base}/api/3/action/datastore_search")
    g.add((datastore, RDF.type, DCAT.DataService))
    _text(g, datastore, DCTERMS.title, "데이터스토어 API (CKAN)", "DataStore API (CKAN Action API)")
    g.add((datastore, DCAT.endpointURL, URIRef(f"{base}/api/3/action/")))
    g.add((datastore, DCAT.endpointDescription, URIRef(f"{base}/api/docs")))
    openapi = URIRef(f"{base}/openapi")
    g.add((openapi, RDF.type, DCAT.DataService))
    _text(g, openapi, DCTERMS.title, "서울 열린데이터 광장 Open API", "Seoul Open Data Plaza OpenAPI")
    g.add((openapi, DCAT.endpointURL, URIRef(f"{base}/")))
    return datastore, openapi


def _distribution(
    g: Graph, base: str, ds: Dataset, res: Resource, licence: URIRef | None, datastore_service: URIRef
) -> URIRef:
    from .ckan import resource_url

    node = URIRef(f"{base}/dataset/{ds.uid}/resource/{res.uid}")
    g.add((node, RDF.type, DCAT.Distribution))
    _text(g, node, DCTERMS.title, res.name)
    if res.description:
        _text(g, node, DCTERMS.description, res.description)
    has_table = hasattr(res, "table")
    url = resource_url(res, base)
    g.add(
        (
            node,
            DCAT.accessURL,
            URIRef(url if res.kind in {ResourceKind.LINK, ResourceKind.API} else f"{base}/opendata/dataset/{ds.name}/"),
        )
    )
    fmt = "CSV" if has_table else (res.format or "").upper()
    if res.kind not in {ResourceKind.LINK, ResourceKind.API}:
        g.add((node, DCAT.downloadURL, URIRef(url)))
    if fmt in EU_FILE_TYPES:
        g.add((node, DCTERMS.format, _typed(g, EU_FILE + EU_FILE_TYPES[fmt], DCTERMS.MediaTypeOrExtent)))
    media = MEDIA_TYPES.get(fmt)
    if media:
        g.add((node, DCAT.mediaType, _typed(g, IANA + media, DCTERMS.MediaType)))
    if licence is not None:
        g.add((node, DCTERMS.license, licence))
    if res.size is not None:
        g.add((node, DCAT.byteSize, Literal(int(res.size), datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.modified, _dt(res.modified_at)))
    if has_table:
        g.add((node, DCAT.accessService, datastore_service))
    return node


def dataset_into(g: Graph, base: str, ds: Dataset, services: tuple[URIRef, URIRef]) -> URIRef:
    node = URIRef(f"{base}/dataset/{ds.uid}")
    g.add((node, RDF.type, DCAT.Dataset))
    _text(g, node, DCTERMS.title, ds.title_ko, ds.title_en)
    _text(g, node, DCTERMS.description, ds.description_ko or ds.title_ko, ds.description_en)
    g.add((node, DCTERMS.identifier, Literal(str(ds.uid))))
    g.add((node, DCTERMS.publisher, _agent(g, base, ds.organization)))
    g.add((node, DCTERMS.modified, _dt(ds.modified_at)))
    if ds.published_at:
        g.add((node, DCTERMS.issued, _dt(ds.published_at)))
    for tag in tags_of(ds):
        g.add((node, DCAT.keyword, Literal(tag.name, lang="ko")))
    landing = _typed(g, f"{base}/opendata/dataset/{ds.name}/", FOAF.Document)
    g.add((node, DCAT.landingPage, landing))
    theme = _typed(g, EU_THEME + CATEGORY_EU_THEME[ds.category], SKOS.Concept)
    g.add((theme, SKOS.prefLabel, Literal(CATEGORY_EU_THEME[ds.category], lang="en")))
    g.add((node, DCAT.theme, theme))
    own = _typed(g, f"{base}/category/{ds.category}", SKOS.Concept)
    g.add((own, SKOS.prefLabel, Literal(CATEGORY_KO[ds.category], lang="ko")))
    g.add((own, SKOS.prefLabel, Literal(CATEGORY_EN[ds.category], lang="en")))
    g.add((own, SKOS.inScheme, _category_scheme(g, base)))
    g.add((node, DCAT.theme, own))
    g.add((node, DCTERMS.accrualPeriodicity, _typed(g, EU_FREQ + FREQUENCY_EU[ds.frequency], DCTERMS.Frequency)))
    if ds.spatial:
        loc = _typed(g, f"{base}/district/{ds.spatial}", DCTERMS.Location)
        g.add((node, DCTERMS.spatial, loc))
    if ds.temporal_start or ds.temporal_end:
        period = BNode(f"period-{ds.uid}")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.temporal_start:
            g.add((period, DCAT.startDate, Literal(ds.temporal_start.isoformat(), datatype=XSD.date)))
        if ds.temporal_end:
            g.add((period, DCAT.endDate, Literal(ds.temporal_end.isoformat(), datatype=XSD.date)))
        g.add((node, DCTERMS.temporal, period))
    lic = LICENCES.get(ds.licence)
    licence = None
    if lic:
        licence = _typed(g, lic.url, DCTERMS.LicenseDocument)
        g.add((licence, DCTERMS.title, Literal(lic.title, lang="en")))
        g.add((licence, DCTERMS.title, Literal(lic.title_ko, lang="ko")))
    datastore_service, openapi_service = services
    for res in resources_of(ds):
        if res.active:
            g.add((node, DCAT.distribution, _distribution(g, base, ds, res, licence, datastore_service)))
    if ds.service_name:
        dist = URIRef(f"{base}/dataset/{ds.uid}/openapi")
        g.add((dist, RDF.type, DCAT.Distribution))
        _text(g, dist, DCTERMS.title, f"Open API ({ds.service_name})")
        g.add((dist, DCAT.accessURL, URIRef(f"{base}/sample/json/{ds.service_name}/1/5/")))
        g.add((dist, DCAT.accessService, openapi_service))
        g.add((dist, DCTERMS.format, _typed(g, EU_FILE + "JSON", DCTERMS.MediaTypeOrExtent)))
        if licence is not None:
            g.add((dist, DCTERMS.license, licence))
        g.add((node, DCAT.distribution, dist))
        g.add((openapi_service, DCAT.servesDataset, node))
    return node


def catalogue_graph(
    base: str,
    datasets: Iterable[Dataset],
    *,
    page: int,
    total: int,
    page_size: int,
    page_url: str,
    modified: datetime | None,
) -> Graph:
    g = _graph()
    catalog = URIRef(f"{base}/catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("서울 열린데이터 광장", lang="ko")))
    g.add((catalog, DCTERMS.title, Literal("Seoul Open Data Plaza", lang="en")))
    g.add(
        (catalog, DCTERMS.description, Literal("서울시와 25개 자치구, 투자출연기관이 개방하는 공공데이터", lang="ko"))
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Open data published by the Seoul Metropolitan Government, its 25 districts and institutions", lang="en"
            ),
        )
    )
    g.add((catalog, DCTERMS.publisher, _city_agent(g, base)))
    g.add((catalog, FOAF.homepage, _typed(g, f"{base}/opendata/", FOAF.Document)))
    g.add((catalog, DCAT.themeTaxonomy, _category_scheme(g, base)))
    if modified is not None:
        g.add((catalog, DCTERMS.modified, _dt(modified)))
    services = _data_services(g, base)
    g.add((catalog, DCAT.service, services[0]))
    g.add((catalog, DCAT.service, services[1]))
    for ds in datasets:
        g.add((catalog, DCAT.dataset, dataset_into(g, base, ds, services)))
    _paging(g, page_url, page=page, total=total, page_size=page_size)
    return g


def _paging(g: Graph, page_url: str, *, page: int, total: int, page_size: int) -> None:
    sep = "&" if "?" in page_url else "?"
    last = max(1, (total + page_size - 1) // page_size)

    def url(n: int) -> str:
        return f"{page_url}{sep}page={n}"

    node = URIRef(url(page))
    g.add((node, RDF.type, HYDRA.PagedCollection))
    g.add((node, RDF.type, HYDRA.PartialCollectionView))
    g.add((node, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((node, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
    for prop, legacy, n in ((HYDRA.first, HYDRA.firstPage, 1), (HYDRA.last, HYDRA.lastPage, last)):
        g.add((node, prop, URIRef(url(n))))
        g.add((node, legacy, Literal(url(n))))
    if page > 1:
        g.add((node, HYDRA.previous, URIRef(url(page - 1))))
        g.add((node, HYDRA.previousPage, Literal(url(page - 1))))
    if page < last:
        g.add((node, HYDRA.next, URIRef(url(page + 1))))
        g.add((node, HYDRA.nextPage, Literal(url(page + 1))))


def dataset_graph(base: str, ds: Dataset) -> Graph:
    g = _graph()
    dataset_into(g, base, ds, _data_services(g, base))
    return g


def serialize(g: Graph, fmt: str) -> tuple[bytes, str]:
    rdf_format, media_type = FORMATS[fmt]
    data = g.serialize(format=rdf_format, encoding="utf-8")
    return (data if isinstance(data, bytes) else data.encode()), media_type


def categories() -> list[str]:
    return list(Category.values)
