"""DCAT-AP 3 output: every format parses with rdflib, the graphs agree, pages chain through
hydra:next, and pyshacl finds no violation against the bundled DCAT-AP 3 shapes."""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from smartseoul.opendata import services
from smartseoul.opendata.dcat import HYDRA
from smartseoul.opendata.tests import conftest as fixtures

pytestmark = pytest.mark.django_db

# the open-data fixtures (a Jongno-gu publisher and its parking dataset with a table)
jongno, publisher, parking_csv, parking = fixtures.jongno, fixtures.publisher, fixtures.parking_csv, fixtures.parking

RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "xml": "xml", "n3": "n3"}


@pytest.fixture
def shapes(shared_dir):
    return Graph().parse(shared_dir / "standards" / "dcat-ap-3" / "dcat-ap-SHACL.ttl")


@pytest.fixture
def catalogue(parking):
    env = services.organization_ensure(name="seoul-environment", title_ko="서울특별시 기후환경본부", kind="city")
    for i in range(120):
        services.dataset_create(
            actor=None,
            organization=env,
            name=f"air-{i:03d}",
            title_ko=f"대기질 {i}",
            title_en=f"Air {i}",
            description_ko="측정 자료",
            category="environment",
            frequency="daily",
            tags=["대기"],
            spatial="11110",
            state="active",
        )
    services.resource_create(
        actor=None, dataset=parking, name="안내", kind="link", format="PDF", url="https://example.org/guide.pdf"
    )
    return parking


def _get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    return response


def test_every_format_parses_and_the_graphs_agree(client, catalogue):
    graphs = {}
    for fmt, rdf_format in RDF_FORMATS.items():
        response = _get(client, f"/catalog.{fmt}")
        graph = Graph().parse(data=response.content, format=rdf_format)
        assert len(graph) > 100
        for view in list(graph.subjects(RDF.type, HYDRA.PartialCollectionView)):  # page URLs name the format
            graph.remove((view, None, None))
        graphs[fmt] = graph
    reference = graphs["ttl"]
    for fmt, graph in graphs.items():
        assert isomorphic(reference, graph), fmt
    media = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml", "n3": "text/n3"}
    for fmt, media_type in media.items():
        assert _get(client, f"/catalog.{fmt}")["Content-Type"].startswith(media_type)


def test_pages_chain_and_count(client, catalogue):
    url = "/catalog.ttl"
    datasets = set()
    total = None
    pages = 0
    while url:
        graph = Graph().parse(data=_get(client, url).content, format="turtle")
        pages += 1
        datasets |= set(graph.subjects(RDF.type, DCAT.Dataset))
        view = next(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        total = int(graph.value(view, HYDRA.totalItems))
        nxt = graph.value(view, HYDRA.next)
        legacy = graph.value(view, HYDRA.nextPage)
        assert (nxt is None) == (legacy is None)
        url = str(nxt).replace("http://testserver", "") if nxt is not None else None
    assert pages == 2
    assert total == len(datasets) == 121


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_catalogue_conforms_to_dcat_ap_3(client, catalogue, shapes, fmt):
    data = Graph().parse(data=_get(client, f"/catalog.{fmt}").content, format=RDF_FORMATS[fmt])
    conforms, _graph, report = validate(data, shacl_graph=shapes, inference="rdfs")
    assert conforms, report


def test_dataset_endpoint_conforms(client, catalogue, shapes):
    for fmt in ("ttl", "jsonld", "rdf", "n3"):
        response = _get(client, f"/dataset/{catalogue.uid}.{fmt}")
        data = Graph().parse(data=response.content, format=RDF_FORMATS[fmt])
        dataset = URIRef(f"http://testserver/dataset/{catalogue.uid}")
        assert (dataset, RDF.type, DCAT.Dataset) in data
        assert len(list(data.objects(dataset, DCAT.distribution))) == 3  # table, link, Open API
        conforms, _graph, report = validate(data, shacl_graph=shapes, inference="rdfs")
        assert conforms, report
    assert client.get("/dataset/jongno-parking.ttl").status_code == 200
    assert client.get("/dataset/no-such-thing.ttl").status_code == 404


def test_the_bundled_bee_example_fails_the_same_shapes(shapes, shared_dir):
    data = Graph().parse(shared_dir / "standards" / "dcat-ap-3" / "example-bee-population.ttl")
    conforms, _graph, _report = validate(data, shacl_graph=shapes, inference="rdfs")
    assert not conforms


def test_content_negotiation_and_alternate_links(client, catalogue):
    response = client.get(f"/dataset/{catalogue.uid}", HTTP_ACCEPT="text/turtle")
    assert response["Content-Type"].startswith("text/turtle")
    page = client.get("/opendata/dataset/jongno-parking/")
    assert f'href="/dataset/{catalogue.uid}.ttl"' in page.content.decode()
