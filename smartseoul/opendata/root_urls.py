"""Protocol adapters at the site root (included last by smartseoul/urls.py). No trailing
slashes and no redirects on the CKAN paths; the Seoul OpenAPI pattern is strict (TYPE must be
json, xml, xmlf or xls) so it cannot swallow other root URLs."""

from django.urls import path, re_path

from . import adapters, ckan, seoulapi

FMT = r"(?P<fmt>ttl|jsonld|rdf|xml|n3)"
IDENT = r"(?P<ident>[A-Za-z0-9_-]{2,100})"

urlpatterns = [
    path("api/3/action/<str:name>", ckan.action, name="ckan-action-3"),
    path("api/action/<str:name>", ckan.action, name="ckan-action"),
    re_path(rf"^catalog\.{FMT}$", adapters.catalogue, name="dcat-catalog"),
    re_path(rf"^dataset/{IDENT}\.{FMT}$", adapters.dataset_rdf, name="dcat-dataset"),
    re_path(rf"^dataset/{IDENT}/datapackage\.json$", adapters.datapackage_json, name="datapackage"),
    re_path(rf"^dataset/{IDENT}/download\.zip$", adapters.dataset_zip, name="dataset-zip"),
    re_path(
        rf"^dataset/{IDENT}/resource/(?P<resource_id>[0-9a-fA-F-]{{36}})/download/(?P<filename>[^/]{{1,200}})$",
        adapters.resource_download,
        name="resource-download",
    ),
    re_path(rf"^dataset/{IDENT}$", adapters.dataset_page, name="dataset-negotiate"),
    re_path(
        r"^(?P<key>[A-Za-z0-9_-]{4,100})/(?P<type_>json|xml|xmlf|xls)/(?P<service>[A-Za-z][A-Za-z0-9_]{1,79})/"
        r"(?P<start>[^/]*)/(?P<end>[^/]*)(?:/(?P<filters>.*?))?/?$",
        seoulapi.openapi,
        name="seoul-openapi",
    ),
]
