"""A mosquitto broker of a test's own: a free port, its own configuration, started and stopped
by the test (Debian's `mosquitto` package; in CI a missing broker fails the test)."""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from conftest import port_open, require_service


def wait(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").is_file() else None)
    require_service(found is not None, "mosquitto", "apt-get install mosquitto")
    assert found is not None
    return found


class Broker:
    """`persistent`: the broker keeps sessions and queued messages on disk across restarts."""

    def __init__(self, workdir: Path, *, persistent: bool = False, extra: str = "") -> None:
        self.binary = mosquitto_binary()
        self.port = free_port()
        self.workdir = workdir
        self.config = workdir / "mosquitto.conf"
        # started as root, mosquitto would switch to its own account, which cannot write here
        lines = [f"listener {self.port} 127.0.0.1", f"user {getpass.getuser()}"]
        if persistent:
            lines += ["persistence true", f"persistence_location {workdir}/", "persistence_file mosquitto.db"]
        else:
            lines.append("persistence false")
        lines.append(extra or "allow_anonymous true")
        self.config.write_text("\n".join(lines) + "\n")
        self.log = workdir / "mosquitto.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([self.binary, "-c", str(self.config)], stdout=log, stderr=log)
        assert wait(lambda: port_open("127.0.0.1", self.port), 10), self.log.read_text()

    def stop(self) -> None:
        """A clean shutdown (a persistent broker writes its sessions and queues to disk)."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
        assert wait(lambda: not port_open("127.0.0.1", self.port), 10)


class Publisher:
    """An MQTT 5 client that reports the broker's answer to each publish (PUBACK reason code)."""

    def __init__(self, port: int, username: str | None = None, password: str | None = None) -> None:
        self.acks: dict[int, str] = {}
        self.connect_reason: str | None = None
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.granted: list[str] = []
        self.received: list[str] = []
        self.client.on_message = lambda client, userdata, message: self.received.append(message.topic)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait(lambda: self.connect_reason is not None, 10)

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connect_reason = str(reason)

    def _on_publish(self, client: Any, userdata: Any, mid: int, reason: Any, properties: Any) -> None:
        self.acks[mid] = str(reason)

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, reasons: Any, properties: Any) -> None:
        self.granted = [str(r) for r in reasons]

    def publish(self, topic: str, payload: Any) -> str:
        """The broker's answer: 'Success' / 'No matching subscribers' when taken, 'Not authorized' when refused."""
        info = self.client.publish(topic, json.dumps(payload), qos=1)
        assert wait(lambda: info.mid in self.acks, 10), f"no answer from the broker to {topic}"
        return self.acks[info.mid]

    def subscribe(self, topic: str) -> list[str]:
        self.granted = []
        self.client.subscribe(topic, qos=1)
        assert wait(lambda: bool(self.granted), 10)
        return self.granted

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publish_all(
    port: int, topic: str, payloads: list[dict[str, Any]], username: str | None = None, password: str | None = None
) -> None:
    """Publishes each payload with QoS 1 and checks the broker took it."""
    pub = Publisher(port, username, password)
    try:
        assert pub.connect_reason == "Success", pub.connect_reason
        for p in payloads:
            assert pub.publish(topic, p) in ("Success", "No matching subscribers")
    finally:
        pub.close()
