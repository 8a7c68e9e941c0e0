"""Notification channels. A real SMS gateway is one class implementing `SmsGateway`,
named by the SMARTSEOUL_SMS_GATEWAY setting."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from smartseoul.lib.crypto import mask_phone

log = logging.getLogger("smartseoul.notifications")


class DeliveryError(Exception):
    """A channel could not deliver now; the outbox retries."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class OutboxSmsGateway:
    """Development gateway: the message stays in the outbox (readable in the inbox/admin) and a
    line goes to the log with the number masked. Nothing leaves the machine."""

    def send(self, phone: str, text: str) -> None:
        log.info("sms to %s: %d characters (development gateway, kept in the outbox)", mask_phone(phone), len(text))


class FailingSmsGateway:
    """Always fails: used to show and test the failed state."""

    def send(self, phone: str, text: str) -> None:
        raise DeliveryError("gateway unavailable")


def sms_gateway() -> SmsGateway:
    gateway: SmsGateway = import_string(settings.SMS_GATEWAY)()
    return gateway


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except Exception as exc:  # SMTP errors come in many types
        raise DeliveryError(str(exc)[:200]) from exc
