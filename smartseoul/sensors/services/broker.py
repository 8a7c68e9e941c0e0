"""MQTT broker logins and the broker's password and ACL files.

Each device (a Thing) or gateway account gets its own broker login. The broker (mosquitto)
checks the password and the ACL; the platform writes both files from the database:

- a device may publish only to `v1.1/Datastreams(<id>)/Observations` of its own Datastreams;
- a gateway may publish to those topics of every Thing it owns, and to its own batch topic
  `smartseoul/gateways/<login>/batch` (the worker checks each batch entry's box against the
  gateway's Things, since a broker cannot read payloads);
- nobody but the worker may subscribe: readings (a senior's home readings among them) never go
  from one device to another;
- `v1.1/Observations` and `v1.1/FeaturesOfInterest(<id>)/Observations` name their Datastream in
  the payload, where the broker cannot check it, so no device or gateway may publish there.

Passwords are hashed as mosquitto's own `mosquitto_passwd` does (PBKDF2-HMAC-SHA512, type `$7$`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.db import transaction

from smartseoul.core import clock
from smartseoul.core.services import audit_record

from ..errors import BadEntity, EntityNotFound
from ..models import BrokerLogin, Datastream, Thing

#: PBKDF2 rounds; mosquitto reads the count from each line (its own tool uses 101)
ITERATIONS = 20_000
LOGIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
WORKER_TOPICS = ("v1.1/#", "smartseoul/gateways/+/batch")


def gateway_topic(login: str) -> str:
    return f"smartseoul/gateways/{login}/batch"


def datastream_topic(datastream_id: int) -> str:
    return f"v1.1/Datastreams({datastream_id})/Observations"


def mosquitto_hash(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """`$7$<rounds>$<salt>$<hash>` as in mosquitto's password file."""
    salt = salt if salt is not None else os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _check_name(name: str) -> str:
    if not LOGIN_NAME.match(name):
        raise BadEntity("a broker login is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


@transaction.atomic
def broker_login_create(
    *, thing: Thing | None = None, gateway: Any = None, name: str = "", actor: Any = None
) -> tuple[BrokerLogin, str]:
    """A new login for one device or one gateway account; returns it and its password (shown once)."""
    if (thing is None) == (gateway is None):
        raise BadEntity("a broker login belongs to one device or to one gateway account")
    if not name:
        name = f"device-{thing.pk}" if thing is not None else f"gateway-{gateway.pk}"
    _check_name(name)
    if BrokerLogin.objects.filter(username=name).exists():
        raise BadEntity(f"the broker login {name!r} exists (revoked logins keep their name)")
    password = secrets.token_urlsafe(24)
    login = BrokerLogin.objects.create(
        username=name, password_hash=mosquitto_hash(password), thing=thing, gateway=gateway, created_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="sensors.broker_login.create",
        target=login,
        details={"login": name, "thing": thing.pk if thing else None, "gateway": gateway.pk if gateway else None},
    )
    return login, password


@transaction.atomic
def broker_login_revoke(*, name: str, actor: Any = None) -> BrokerLogin:
    login = BrokerLogin.objects.select_for_update().filter(username=name).first()
    if login is None:
        raise EntityNotFound(f"No broker login {name!r}.")
    if login.revoked_at is None:
        login.revoked_at = clock.now()
        login.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="sensors.broker_login.revoke", target=login, details={"login": name})
    return login


def gateway_for_login(name: str) -> Any:
    """The gateway account publishing on `smartseoul/gateways/<name>/batch`, or None."""
    login = (
        BrokerLogin.objects.filter(username=name, revoked_at__isnull=True, gateway__isnull=False)
        .select_related("gateway")
        .first()
    )
    gateway = login.gateway if login is not None else None
    return gateway if gateway is not None and gateway.is_active else None


@dataclass
class BrokerFiles:
    passwords: str
    acl: str
    logins: int


def broker_files(*, worker_url: str = "") -> BrokerFiles:
    """The password file and ACL file for the active logins (and the worker's login, taken from
    its broker URL `mqtt://user:password@host`, when it has one)."""
    logins = list(
        BrokerLogin.objects.filter(revoked_at__isnull=True)
        .exclude(gateway__is_active=False)
        .order_by("username")
        .values("username", "password_hash", "thing_id", "gateway_id")
    )
    streams: dict[int, list[int]] = defaultdict(list)
    for thing_id, ds_id in Datastream.objects.order_by("pk").values_list("thing_id", "pk"):
        streams[thing_id].append(ds_id)
    owned: dict[int, list[int]] = defaultdict(list)
    gateway_ids = {row["gateway_id"] for row in logins if row["gateway_id"] is not None}
    for owner_id, thing_id in Thing.objects.filter(owner__in=gateway_ids).order_by("pk").values_list("owner", "pk"):
        owned[owner_id].append(thing_id)
    passwords: list[str] = []
    acl: list[str] = ["# written by `smartseoul sensors broker-files`; edits are overwritten", ""]
    parsed = urlparse(worker_url) if worker_url else None
    if parsed is not None and parsed.username:
        worker = _check_name(unquote(parsed.username))
        passwords.append(f"{worker}:{mosquitto_hash(unquote(parsed.password or ''))}")
        acl += [f"user {worker}", *(f"topic read {t}" for t in WORKER_TOPICS), ""]
    for row in logins:
        name = row["username"]
        passwords.append(f"{name}:{row['password_hash']}")
        things = [row["thing_id"]] if row["thing_id"] is not None else owned[row["gateway_id"]]
        acl.append(f"user {name}")
        if row["gateway_id"] is not None:
            acl.append(f"topic write {gateway_topic(name)}")
        acl += [f"topic write {datastream_topic(ds)}" for thing in things for ds in streams[thing]]
        acl.append("")
    return BrokerFiles(passwords="\n".join(passwords) + "\n", acl="\n".join(acl), logins=len(logins))


def broker_files_write(*, password_file: Path, acl_file: Path, worker_url: str = "") -> BrokerFiles:
    """Writes both files (each replaced whole, readable by its owner and group only)."""
    files = broker_files(worker_url=worker_url)
    for path, text in ((password_file, files.passwords), (acl_file, files.acl)):
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(path)
    return files
