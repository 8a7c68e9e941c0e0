"""The one NinjaAPI (v1): mounts each module's router from the registry and maps domain
errors to JSON in one place. OpenAPI docs at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from smartseoul import __version__
from smartseoul.accounts.policy import second_factor_pending, second_factor_refusal
from smartseoul.core.errors import DomainError, PermissionDenied
from smartseoul.core.openapi import declare_errors
from smartseoul.core.registry import manifests


class SiteSwagger(Swagger):
    """Swagger UI from the django-ninja wheel's own files (served as static `vendor/swagger-ui/`),
    started by our `api-docs.js`: no CDN and no inline script, so the site's strict CSP holds."""

    template = "api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {"api": api, "swagger_settings": self.settings})


class PlatformAPI(NinjaAPI):
    """Publishes, beside each operation's successes, the refusals it may answer (`core.openapi`)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        return declare_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = PlatformAPI(
    title="Smart Seoul Platform API",
    version="1",
    description="Complaints, votes, proposals, budgets, open data, sensors, analytics and the city dashboard.",
    urls_namespace="api",
    docs_url="/docs",
    # validatorUrl None: no badge image fetched from validator.swagger.io (blocked by the CSP anyway).
    docs=SiteSwagger(settings={"validatorUrl": None}),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, PermissionDenied) and second_factor_pending(getattr(request, "auth", None) or request.user):
        exc = second_factor_refusal(request)  # the staff account acts as a citizen until its second factor
    response = api.create_response(request, {"error": exc.as_dict()}, status=exc.status)
    retry = exc.details.get("retry_after")
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": "invalid", "message": "The request is not valid.", "details": exc.errors}},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (a session write without its CSRF token: 403) in the platform's envelope."""
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "rate_limited"}
    code = "csrf_failed" if "CSRF" in str(exc) else codes.get(exc.status_code, "invalid")
    return api.create_response(request, {"error": {"code": code, "message": str(exc)}}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"error": {"code": "not_found", "message": "Not found."}}, status=404)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": "unauthorized", "message": "Sign in or send a valid API key."}}, status=401
    )


@api.get("/version", tags=["platform"])
def version(request: HttpRequest) -> dict[str, str]:
    return {"version": __version__}


for _manifest in manifests():
    if _manifest.router is not None:
        api.add_router(_manifest.api_prefix or f"/{_manifest.name}", _manifest.router, tags=[_manifest.name])
