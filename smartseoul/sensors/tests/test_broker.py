"""Broker logins and the broker's ACL: one login per device or gateway, a device publishes only
to its own Datastreams, a gateway only for its own devices and on its own batch topic, nobody
but the worker reads; the files the platform writes are the ones a real mosquitto enforces."""

from __future__ import annotations

import base64
import hashlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from smartseoul.core.models import AuditEvent
from smartseoul.sensors.errors import BadEntity
from smartseoul.sensors.models import BrokerLogin, Datastream, Thing
from smartseoul.sensors.mqtt import MqttWorker, handle_messages
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure
from smartseoul.sensors.services.broker import (
    broker_files,
    broker_files_write,
    broker_login_create,
    broker_login_revoke,
    mosquitto_hash,
)
from smartseoul.sensors.services.care import caseworker_assign, home_device_add, senior_register
from smartseoul.sensors.tests.mosquitto import Broker, Publisher, wait

BOX_A, BOX_B = "V02Q1940612", "V02Q1940613"
WORKER = "platform-worker"
WORKER_PASSWORD = "w0rker-secret"
TAKEN = ("Success", "No matching subscribers")


@pytest.fixture
def fleet(city: Any, make_user: Any) -> dict[str, Any]:
    """Two gateways with a box each, a home device of the first, and their logins."""
    one = make_user("gateway-one", role="official")
    two = make_user("gateway-two", role="official")
    boxes_register(positions=[(BOX_A, 37.5780, 126.8951)], owner=one)
    boxes_register(positions=[(BOX_B, 37.5701, 126.9822)], owner=two)
    a, b = Thing.objects.get(serial=BOX_A), Thing.objects.get(serial=BOX_B)
    ds = datastreams_ensure(pairs={(a.pk, "pm25"), (a.pk, "pm10"), (b.pk, "pm25")})
    caseworker = make_user("caseworker-a", role="official", capabilities=("caseworker",))
    senior = senior_register(label="JN-2024-0012", district_code="11110", dong_code="", actor=caseworker)
    caseworker_assign(senior=senior, caseworker=caseworker, actor=caseworker)
    home = home_device_add(senior=senior, name="JN-2024-0012 living room", actor=caseworker, gateway=one)
    logins = {}
    logins["device-a"] = broker_login_create(thing=a, name="device-a")[1]
    logins["gw-one"] = broker_login_create(gateway=one, name="gw-one")[1]
    logins["gw-two"] = broker_login_create(gateway=two, name="gw-two")[1]
    logins["gw-old"] = broker_login_create(gateway=two, name="gw-old")[1]
    broker_login_revoke(name="gw-old")
    return {
        "one": one,
        "two": two,
        "a": a,
        "b": b,
        "a_pm25": ds[(a.pk, "pm25")],
        "a_pm10": ds[(a.pk, "pm10")],
        "b_pm25": ds[(b.pk, "pm25")],
        "home": home,
        "home_ds": list(Datastream.objects.filter(thing=home).values_list("pk", flat=True)),
        "logins": logins,
    }


# -- the files ----------------------------------------------------------------------------------------


def test_the_password_hash_is_mosquittos_own_format() -> None:
    salt = bytes(range(12))
    line = mosquitto_hash("secret", salt=salt, iterations=101)
    expected = base64.b64encode(hashlib.pbkdf2_hmac("sha512", b"secret", salt, 101)).decode()
    assert line == f"$7$101${base64.b64encode(salt).decode()}${expected}"
    assert mosquitto_hash("secret") != mosquitto_hash("secret")  # a new salt each time


@pytest.mark.django_db
def test_the_acl_gives_each_login_its_own_topics_only(fleet: dict[str, Any]) -> None:
    files = broker_files(worker_url=f"mqtt://{WORKER}:{WORKER_PASSWORD}@127.0.0.1:1883")
    blocks = {b.splitlines()[0]: b.splitlines()[1:] for b in files.acl.split("\n\n") if b.startswith("user ")}
    topic = "topic write v1.1/Datastreams({})/Observations".format
    assert sorted(blocks["user device-a"]) == sorted([topic(fleet["a_pm25"]), topic(fleet["a_pm10"])])
    assert sorted(blocks["user gw-one"]) == sorted(
        [
            "topic write smartseoul/gateways/gw-one/batch",
            topic(fleet["a_pm25"]),
            topic(fleet["a_pm10"]),
            *(topic(d) for d in fleet["home_ds"]),
        ]
    )
    assert sorted(blocks["user gw-two"]) == sorted(
        ["topic write smartseoul/gateways/gw-two/batch", topic(fleet["b_pm25"])]
    )
    assert blocks[f"user {WORKER}"] == ["topic read v1.1/#", "topic read smartseoul/gateways/+/batch"]
    assert "user gw-old" not in blocks and "gw-old:" not in files.passwords  # revoked
    assert not [line for user, lines in blocks.items() for line in lines if "read" in line and WORKER not in user]
    assert "v1.1/Observations" not in files.acl and "FeaturesOfInterest" not in files.acl
    names = [line.split(":", 1)[0] for line in files.passwords.splitlines()]
    assert sorted(names) == sorted([WORKER, "device-a", "gw-one", "gw-two"])
    assert all(line.split(":", 1)[1].startswith("$7$") for line in files.passwords.splitlines())
    assert not [p for p in fleet["logins"].values() if p in files.passwords]  # hashes only


@pytest.mark.django_db
def test_logins_are_checked_and_audited(fleet: dict[str, Any]) -> None:
    for bad in ("", "a b", "gw:x", "gw/+", "#", "-x", "x" * 65):
        with pytest.raises(BadEntity):
            broker_login_create(gateway=fleet["one"], name=bad or " ")
    with pytest.raises(BadEntity):
        broker_login_create(gateway=fleet["one"], name="gw-one")  # taken
    with pytest.raises(BadEntity):
        broker_login_create(gateway=fleet["one"], name="gw-old")  # revoked names are not reused
    with pytest.raises(BadEntity):
        broker_login_create(thing=fleet["a"], gateway=fleet["one"])
    with pytest.raises(BadEntity):
        broker_login_create()
    assert BrokerLogin.objects.count() == 4
    login, _pw = broker_login_create(thing=fleet["b"])
    assert login.username == f"device-{fleet['b'].pk}"
    actions = list(
        AuditEvent.objects.filter(action__startswith="sensors.broker_login").values_list("action", flat=True)
    )
    assert actions.count("sensors.broker_login.create") == 5 and actions.count("sensors.broker_login.revoke") == 1


@pytest.mark.django_db
def test_the_command_writes_both_files(fleet: dict[str, Any], tmp_path: Path) -> None:
    from smartseoul.cli import main

    pw, acl = tmp_path / "passwords", tmp_path / "acl"
    status = main(
        [
            "sensors",
            "broker-files",
            "--password-file",
            str(pw),
            "--acl-file",
            str(acl),
            "--url",
            f"mqtt://{WORKER}:x@127.0.0.1:1883",
        ]
    )
    assert status == 0
    assert "user gw-one" in acl.read_text() and pw.read_text().count("$7$") == 4
    assert oct(pw.stat().st_mode & 0o777) == "0o640"
    assert main(["sensors", "broker-login", "--serial", BOX_B, "--name", "device-b"]) == 0
    assert main(["sensors", "broker-login", "--revoke", "device-b"]) == 0
    assert BrokerLogin.objects.get(username="device-b").revoked_at is not None
    assert main(["sensors", "broker-login", "--serial", "NO-SUCH-BOX"]) != 0


@pytest.mark.django_db
def test_a_gateway_batch_is_stored_for_its_own_boxes_only(fleet: dict[str, Any]) -> None:
    """The broker cannot read a payload: the worker checks each entry against the gateway that
    holds the topic's login."""
    batch = b"""{"encoding": "decoded", "observations": [
        {"thing": "%s", "time": "2024-07-01T10:00:00+09:00", "values": {"pm25": 12}},
        {"thing": "%s", "time": "2024-07-01T10:00:00+09:00", "values": {"pm25": 13}}]}""" % (
        BOX_A.encode(),
        BOX_B.encode(),
    )
    assert handle_messages([("smartseoul/gateways/gw-one/batch", batch)]) == (1, 1)
    assert handle_messages([("smartseoul/gateways/gw-two/batch", batch)]) == (1, 1)
    # no login, or a revoked one: nothing is stored
    assert handle_messages([("smartseoul/gateways/nobody/batch", batch)]) == (0, 1)
    assert handle_messages([("smartseoul/gateways/gw-old/batch", batch)]) == (0, 1)
    latest = dict(
        Datastream.objects.filter(quantity="pm25", thing__kind="sdot_box").values_list("thing__serial", "latest_result")
    )
    assert latest == {BOX_A: 12.0, BOX_B: 13.0}


# -- a real broker with the written files ----------------------------------------------------------------


@pytest.fixture
def acl_broker(fleet: dict[str, Any], tmp_path: Path) -> Iterator[Broker]:
    pw, acl = tmp_path / "passwords", tmp_path / "acl"
    broker = Broker(tmp_path, extra=f"allow_anonymous false\npassword_file {pw}\nacl_file {acl}")
    broker_files_write(password_file=pw, acl_file=acl, worker_url=f"mqtt://{WORKER}:{WORKER_PASSWORD}@127.0.0.1")
    broker.start()
    yield broker
    broker.stop()


def _connects(port: int, username: str | None = None, password: str | None = None) -> bool:
    client = Publisher(port, username, password)
    client.close()
    return client.connect_reason == "Success"


def _count(live_server: Any, ds: int) -> int:
    url = f"{live_server.url}/sta/v1.1/Datastreams({ds})/Observations?$count=true&$top=0"
    return int(requests.get(url, timeout=10).json()["@iot.count"])


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_the_broker_enforces_the_written_acl(fleet: dict[str, Any], acl_broker: Broker, live_server: Any) -> None:
    port, logins = acl_broker.port, fleet["logins"]
    ds_topic = "v1.1/Datastreams({})/Observations".format
    reading = {"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 21}

    # who may connect
    assert not _connects(port)  # anonymous
    assert not _connects(port, "device-a", "wrong")
    assert not _connects(port, "gw-old", logins["gw-old"])  # revoked
    assert not _connects(port, WORKER, "guess")

    worker = MqttWorker(
        url=f"mqtt://{WORKER}:{WORKER_PASSWORD}@127.0.0.1:{port}", client_id="acl-test", batch_seconds=0.2
    )
    done = threading.Event()
    worker.start()
    thread = threading.Thread(target=worker.loop, kwargs={"until": done.is_set}, daemon=True)
    thread.start()
    try:
        assert worker.connected.wait(10)
        device = Publisher(port, "device-a", logins["device-a"])
        gw_one = Publisher(port, "gw-one", logins["gw-one"])
        gw_two = Publisher(port, "gw-two", logins["gw-two"])
        assert {device.connect_reason, gw_one.connect_reason, gw_two.connect_reason} == {"Success"}

        # a device: its own streams only
        assert device.publish(ds_topic(fleet["a_pm25"]), reading) in TAKEN
        assert device.publish(ds_topic(fleet["b_pm25"]), reading) == "Not authorized"
        assert device.publish(ds_topic(fleet["home_ds"][0]), reading) == "Not authorized"
        assert device.publish("v1.1/Observations", {**reading, "Datastream": {"@iot.id": fleet["b_pm25"]}}) == (
            "Not authorized"
        )
        assert device.publish("v1.1/FeaturesOfInterest(1)/Observations", reading) == "Not authorized"
        assert device.publish("smartseoul/gateways/gw-one/batch", {"observations": []}) == "Not authorized"
        # and it cannot listen to anyone's readings (a senior's home among them): the broker
        # takes the subscription but delivers nothing to it
        device.subscribe("v1.1/#")
        gw_two.subscribe("#")

        # a gateway: its own devices, its own batch topic
        assert gw_one.publish(ds_topic(fleet["a_pm10"]), {**reading, "result": 30}) in TAKEN
        assert gw_one.publish(ds_topic(fleet["home_ds"][0]), {**reading, "result": 1}) in TAKEN
        assert gw_one.publish(ds_topic(fleet["b_pm25"]), reading) == "Not authorized"
        assert gw_one.publish("smartseoul/gateways/gw-two/batch", {"observations": []}) == "Not authorized"
        batch = {
            "encoding": "decoded",
            "observations": [
                {"thing": BOX_A, "time": "2024-07-01T11:00:00+09:00", "values": {"pm25": 40}},
                {"thing": BOX_B, "time": "2024-07-01T11:00:00+09:00", "values": {"pm25": 41}},
            ],
        }
        assert gw_one.publish("smartseoul/gateways/gw-one/batch", batch) in TAKEN
        assert gw_two.publish(ds_topic(fleet["a_pm25"]), reading) == "Not authorized"

        assert wait(lambda: _count(live_server, fleet["a_pm25"]) == 2)  # device-a's reading and the batch's
        assert wait(lambda: worker.refused >= 1)  # the batch's entry for the other gateway's box
        assert _count(live_server, fleet["a_pm10"]) == 1
        assert _count(live_server, fleet["b_pm25"]) == 0
        home_ds = fleet["home_ds"][0]  # private: read where the platform keeps the latest value
        assert wait(lambda: Datastream.objects.filter(pk=home_ds, latest_result=1).exists())
        assert device.received == [] and gw_two.received == []  # the worker got them all, nobody else
        for client in (device, gw_one, gw_two):
            client.close()
    finally:
        done.set()
        thread.join(10)
        worker.stop()


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True)
def test_a_revoked_login_is_refused_once_the_broker_reloads_the_files(
    fleet: dict[str, Any], acl_broker: Broker, tmp_path: Path
) -> None:
    port, password = acl_broker.port, fleet["logins"]["device-a"]
    assert _connects(port, "device-a", password)
    broker_login_revoke(name="device-a")
    broker_files_write(password_file=tmp_path / "passwords", acl_file=tmp_path / "acl")
    assert acl_broker.proc is not None
    acl_broker.proc.send_signal(signal.SIGHUP)  # mosquitto rereads its password and ACL files
    assert wait(lambda: not _connects(port, "device-a", password), 10)
    assert _connects(port, "gw-one", fleet["logins"]["gw-one"])
