"""Error codes of the sensors module."""

from __future__ import annotations

from enum import StrEnum

from smartseoul.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class SensorErrorCode(StrEnum):
    BAD_ENTITY = "bad_entity"
    BAD_QUERY = "bad_query"
    BAD_OBSERVATION = "bad_observation"
    BAD_FILE = "bad_sdot_file"
    BAD_FACILITY_FILE = "bad_facility_file"
    NOT_FOUND = "not_found"
    GATEWAY_REQUIRED = "gateway_required"
    NOT_YOUR_DEVICE = "not_your_device"
    NOT_ASSIGNED = "not_assigned"
    ALREADY_CLOSED = "already_closed"
    UNKNOWN_DISTRICT = "unknown_district"
    NO_THRESHOLD = "no_threshold"
    NOT_ALLOWED = "not_allowed"


class SensorError(DomainError):
    """Base of every sensors error: `except SensorError` catches them all. Raise a subclass."""

    default_code = SensorErrorCode.BAD_ENTITY


class BadEntity(SensorError, InvalidInput):
    default_code = SensorErrorCode.BAD_ENTITY


class BadQuery(SensorError, InvalidInput):
    default_code = SensorErrorCode.BAD_QUERY


class EntityNotFound(SensorError, NotFound):
    default_code = SensorErrorCode.NOT_FOUND


class GatewayRequired(SensorError, PermissionDenied):
    """Writes need a gateway key (accounts API key with scope "sensors")."""

    status = 401
    default_code = SensorErrorCode.GATEWAY_REQUIRED


class NotYourDevice(SensorError, PermissionDenied):
    default_code = SensorErrorCode.NOT_YOUR_DEVICE


class NotAssigned(SensorError, PermissionDenied):
    default_code = SensorErrorCode.NOT_ASSIGNED


class AlreadyClosed(SensorError, Conflict):
    default_code = SensorErrorCode.ALREADY_CLOSED


class SensorForbidden(SensorError, PermissionDenied):
    default_code = SensorErrorCode.NOT_ALLOWED
