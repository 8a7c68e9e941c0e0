"""The MQTT worker against real mosquitto brokers: observations published on the SensorThings
topic appear through the API, and a broker restart loses nothing published after the worker
reconnects (QoS 1, persistent session)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
import requests

from conftest import port_open, require_service
from smartseoul.sensors.mqtt import MqttWorker
from smartseoul.sensors.services.boxes import boxes_register, datastreams_ensure

pytestmark = [pytest.mark.mqtt, pytest.mark.django_db(transaction=True)]


def _wait(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["mosquitto", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert _wait(lambda: port_open("127.0.0.1", self.port), 10), "mosquitto did not start"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None
        assert _wait(lambda: not port_open("127.0.0.1", self.port), 10)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    require_service(shutil.which("mosquitto") is not None, "mosquitto", "apt-get install mosquitto")
    broker = Broker(_free_port(), tmp_path)
    broker.start()
    yield broker
    broker.stop()


def _publish(port: int, topic: str, payloads: list[dict[str, Any]]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"gw-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = [client.publish(topic, json.dumps(p), qos=1) for p in payloads]
    for info in infos:
        info.wait_for_publish(10)
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def box(city: Any) -> int:
    boxes_register(positions=[("V02Q1940612", 37.57807617, 126.8951928)])
    from smartseoul.sensors.models import Thing

    thing = Thing.objects.get(serial="V02Q1940612")
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
        _publish(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": f"2024-07-01T10:{2 * i:02d}:00+09:00", "result": 10 + i} for i in range(5)],
        )
        # the same message again (a gateway retry) is stored once
        _publish(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": "2024-07-01T10:00:00+09:00", "result": 10}],
        )
        _publish(
            1883,
            "v1.1/Observations",
            [{"phenomenonTime": "2024-07-01T11:00:00+09:00", "result": 30, "Datastream": {"@iot.id": box}}],
        )
        _publish(
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
        _publish(
            1883,
            f"v1.1/Datastreams({box})/Observations",
            [{"phenomenonTime": "2024-07-01T13:00:00+09:00", "result": 99999}],
        )  # out of range: refused
        assert _wait(lambda: _count(live_server, box) == 7)
        assert _wait(lambda: worker.refused >= 1)
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


def test_a_broker_restart_loses_nothing_published_after_the_worker_reconnects(
    box: int, live_server: Any, own_broker: Broker
) -> None:
    worker = MqttWorker(url=f"mqtt://127.0.0.1:{own_broker.port}", client_id="restart-test", batch_seconds=0.2)
    thread, done = _run(worker)
    topic = f"v1.1/Datastreams({box})/Observations"
    try:
        assert worker.connected.wait(10)
        _publish(
            own_broker.port, topic, [{"phenomenonTime": f"2024-07-01T00:{i:02d}:00Z", "result": i} for i in range(20)]
        )
        assert _wait(lambda: _count(live_server, box) == 20)
        own_broker.stop()
        assert _wait(lambda: not worker.connected.is_set(), 15)
        own_broker.start()
        assert _wait(worker.connected.is_set, 30), "the worker did not reconnect"
        assert worker.connections >= 2
        _publish(
            own_broker.port,
            topic,
            [{"phenomenonTime": f"2024-07-01T01:{i:02d}:00Z", "result": 100 + i} for i in range(50)],
        )
        assert _wait(lambda: _count(live_server, box) == 70)
        results = requests.get(
            f"{live_server.url}/sta/v1.1/Datastreams({box})/Observations?$top=100"
            "&$orderby=phenomenonTime asc&$select=result",
            timeout=10,
        ).json()["value"]
        assert [o["result"] for o in results] == list(range(20)) + [100 + i for i in range(50)]
    finally:
        done.set()
        thread.join(10)
        worker.stop()
