"""The refusals every /api/v1 operation may answer, written into the published OpenAPI schema.

Routers declare their successes (`response=`); the error envelope is the same for all of them
(`smartseoul/api.py` renders every refusal as `ErrorOut`), so it is declared here once:

- 422 for an operation with parameters or a body (validation: types, ranges, the page bounds);
- 400, 403, 404, 409 and 429 for an operation that reads input or a caller (a module's domain
  errors: bad input, refusals, unknown rows, conflicts, rate limits and quotas; a session write
  without its CSRF token is 403);
- 401 for an operation that names an authentication.

An operation with no input and no authentication (the version, the district list) can only
succeed. A status a router declares itself is kept as it is.
"""

from __future__ import annotations

from typing import Any

from .schemas import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"
DESCRIPTIONS = {
    400: "Bad input (an error code says which)",
    401: "Not signed in, or no valid API key",
    403: "Not allowed (or a session write without its CSRF token)",
    404: "No such row, or not visible to this caller",
    409: "Conflicts with the current state",
    422: "A parameter or the body does not match the schema",
    429: "Rate limit or daily quota reached",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def error_statuses(operation: dict[str, Any]) -> list[int]:
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    secured = bool(operation.get("security"))
    statuses = []
    if has_input or secured:
        statuses += [400, 403, 404, 409, 429]
    if has_input:
        statuses.append(422)
    if secured:
        statuses.append(401)
    return sorted(statuses)


def declare_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the error envelope and each operation's refusals to a generated schema (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    model = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in model.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorOut", model)
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(operation):
                if status in responses:  # django-ninja keys the statuses a router declares as numbers
                    continue
                responses.setdefault(
                    str(status),
                    {
                        "description": DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                    },
                )
    return schema
