"""The MQTT worker against real mosquitto brokers: observations published on the SensorThings
topic appear through the API; with a persistent broker and the worker's persistent session
(clean_session=False, QoS 1), messages published while the platform is down — across a broker
restart too — are ingested when it comes back."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import port_open, require_service
from smartseoul.sensors.models import Thing
from smartseoul.sensors.mqtt import MqttWorker
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure
from smartseoul.sensors.services.broker import broker_login_create
from smartseoul.sensors.tests.mosquitto import Broker, publish_all, wait

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]

SERIAL = "V02Q1940612"


@pytest.fixture
def persistent_broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path, persistent=True)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def box(city: Any, make_user: Any) -> int:
    gateway = make_user("gateway-jongno", role="official")
    boxes_register(positions=[(SERIAL, 37.57807617, 126.8951928)], owner=gateway)
    broker_login_create(gateway=gateway, name="jongno-1")
    thing = Thing.objects.get(serial=SERIAL)
    return datastreams_ensure(pairs={(thing.pk, "pm25")})[(thing.pk, "pm25")]


def _count(live_server: Any, ds: int) -> int:
    body = requests.get(
        f"{live_server.url}/sta/v1.1/Datastreams({ds})/Observations?$count=true&$top=0", timeout=10
    ).json()
    return int(body.get("@iot.count", 0))


def _run(worker: MqttWorker) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()
    worker.start()
    thread = threading.Thread(target=worker.loop, kwargs={"until": done.is_set}, daemon=True)
    thread.start()
    return thread, done


def test_observations_published_on_the_city_broker_appear_in_the_api(box: int, live_server: Any) -> None:
    require_service(port_open("127.0.0.1", 1883), "mosquitto on 127.0.0.1:1883", "apt-get install mosquitto")
    worker = MqttWorker(url="mqtt://127.0.0.1:1883", client_id=f"test-{uuid.uuid4().hex[:8]}", batch_seconds=0.2)
    thread, done = _run(worker)
    try:
        assert worker.connected.wait(10)
        publish_all(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": f"2024-07-01T10:{2 * i:02d}:00+09:00", "result": 10 + i} for i in range(5)],
        )
        # the same message again (a gateway retry) is stored once
        publish_all(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 10}],
        )
        publish_all(
            1883,
            "v1.1/Observations",
            [{"phenomenonTime": "2024-07-01T11:00:00+09:00", "result": 30, "Datastream": {"@iot.id": box}}],
        )
        publish_all(
            1883,
            "smartseoul/gateways/jongno-1/batch",
            [
                {
                    "encoding": "sdot-raw",
                    "observations": [
                        {
                            "thing": "V02Q1940612",
                            "time": "2024-07-01T12:00:00+09:00",
                            "values": {"pm25": 41, "temperature": 1285},
                        }
                    ],
                }
            ],
        )
        publish_all(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": "2024-07-01T13:00:00+09:00", "result": 99999}],
        )  # out of range: refused
        assert wait(lambda: _count(live_server, box) == 7)
        assert wait(lambda: worker.refused >= 1)
        latest = requests.get(
            f"{live_server.url}/sta/v1.1/Datastreams({box})/Observations?$top=1&$orderby=phenomenonTime desc",
            timeout=10,
        ).json()["value"][0]
        assert latest["result"] == 41 and latest["phenomenonTime"] == "2024-07-01T03:00:00Z"
        temp = requests.get(
            f"{live_server.url}/sta/v1.1/Observations?$filter=Datastream/ObservedProperty/name eq 'air temperature'",
            timeout=10,
        ).json()["value"]
        assert [o["result"] for o in temp] == [28.5]  # (28.5 + 100) × 10 = 1285
    finally:
        done.set()
        thread.join(10)
        worker.stop()


def _results(live_server: Any, ds: int) -> list[Any]:
    return [
        o["result"]
        for o in requests.get(
            f"{live_server.url}/sta/v1.1/Datastreams({ds})/Observations?$top=200"
            "&$orderby=phenomenonTime asc&$select=result",
            timeout=10,
        ).json()["value"]
    ]


def _stop(worker: MqttWorker, thread: threading.Thread, done: threading.Event) -> None:
    done.set()
    thread.join(10)
    worker.stop()


def test_messages_published_while_the_platform_is_down_are_ingested_after_it_reconnects(
    box: int, live_server: Any, persistent_broker: Broker
) -> None:
    """The worker's session outlives the worker (clean_session=False, fixed client id) and the
    broker keeps the queue on disk across its own restart; nothing is stored while the worker is
    away, everything is stored once when it is back."""
    url = f"mqtt://127.0.0.1:{persistent_broker.port}"
    port = persistent_broker.port
    topic = f"v1.1/Datastreams({box})/Observations"

    def readings(hour: int, count: int, base: int) -> list[dict[str, Any]]:
        return [{"phenomenonTime": f"2024-07-01T{hour:02d}:{i:02d}:00Z", "result": base + i} for i in range(count)]

    worker = MqttWorker(url=url, client_id="platform-restart-test", batch_seconds=0.2)
    thread, done = _run(worker)
    try:
        assert worker.connected.wait(10)
        assert worker.session_present is False  # a new session the first time
        publish_all(port, topic, readings(0, 20, 0))
        assert wait(lambda: _count(live_server, box) == 20)
    finally:
        _stop(worker, thread, done)  # the platform goes down; the broker keeps its session

    publish_all(port, topic, readings(1, 30, 100))  # queued for the absent worker
    persistent_broker.stop()
    persistent_broker.start()  # the queue survives the broker's restart
    publish_all(port, topic, readings(2, 25, 200))  # and keeps growing after it
    assert _count(live_server, box) == 20  # nothing reached the platform while it was down

    worker = MqttWorker(url=url, client_id="platform-restart-test", batch_seconds=0.2)
    thread, done = _run(worker)
    try:
        assert worker.connected.wait(10)
        assert worker.session_present is True  # the broker kept the session across its restart
        assert wait(lambda: _count(live_server, box) == 75)
        expected = list(range(20)) + [100 + i for i in range(30)] + [200 + i for i in range(25)]
        assert _results(live_server, box) == expected
        assert worker.stored == 55 and worker.refused == 0
    finally:
        _stop(worker, thread, done)


def test_the_worker_reconnects_after_a_broker_restart_and_loses_nothing(
    box: int, live_server: Any, persistent_broker: Broker
) -> None:
    worker = MqttWorker(
        url=f"mqtt://127.0.0.1:{persistent_broker.port}", client_id=f"restart-{uuid.uuid4().hex[:6]}", batch_seconds=0.2
    )
    thread, done = _run(worker)
    topic = f"v1.1/Datastreams({box})/Observations"
    try:
        assert worker.connected.wait(10)
        publish_all(
            persistent_broker.port,
            topic,
            [{"phenomenonTime": f"2024-07-01T00:{i:02d}:00Z", "result": i} for i in range(20)],
        )
        assert wait(lambda: _count(live_server, box) == 20)
        persistent_broker.stop()
        assert wait(lambda: not worker.connected.is_set(), 15)
        persistent_broker.start()
        assert wait(worker.connected.is_set, 30), "the worker did not reconnect"
        assert worker.connections >= 2 and worker.session_present is True
        publish_all(
            persistent_broker.port,
            topic,
            [{"phenomenonTime": f"2024-07-01T01:{i:02d}:00Z", "result": 100 + i} for i in range(50)],
        )
        assert wait(lambda: _count(live_server, box) == 70)
        assert _results(live_server, box) == list(range(20)) + [100 + i for i in range(50)]
    finally:
        _stop(worker, thread, done)
