"""The MQTT ingestion worker: `smartseoul sensors mqtt`.

Subscribes with QoS 1 in a persistent session (clean_session=False, fixed client id) to
- the SensorThings create topics `v1.1/Datastreams(<id>)/Observations`, `v1.1/Observations`
  (payload links its Datastream) and `v1.1/FeaturesOfInterest(<id>)/Observations`;
- the gateway topic `smartseoul/gateways/<login>/batch` (the native JSON batch), stored on
  behalf of the gateway account that holds that broker login, so its entries reach only that
  gateway's own boxes.

Who may publish where is the broker's ACL, written by the platform (`services/broker.py`).

Messages are acknowledged only after their batch is in the lake (manual acks), so a crash or a
broker restart redelivers rather than loses; redelivered duplicates are dropped by the sandbox
stage. The client reconnects with back-off and subscribes again on every connection.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections

STA_TOPIC = "v1.1/#"
GATEWAY_TOPIC = "smartseoul/gateways/+/batch"
_DS_TOPIC = re.compile(r"^v1\.1/Datastreams\((\d+)\)/Observations$")
_FOI_TOPIC = re.compile(r"^v1\.1/FeaturesOfInterest\((\d+)\)/Observations$")
_GATEWAY_TOPIC = re.compile(r"^smartseoul/gateways/([^/]+)/batch$")


def broker_url() -> str:
    return getattr(settings, "MQTT_URL", "mqtt://127.0.0.1:1883")


@dataclass
class Pending:
    mid: int
    topic: str
    payload: bytes


class MqttWorker:
    def __init__(
        self,
        *,
        url: str,
        client_id: str = "smartseoul-sensors",
        batch_size: int = 5000,
        batch_seconds: float = 1.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError(f"not an MQTT URL: {url}")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (8883 if parsed.scheme == "mqtts" else 1883)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.log = log or (lambda _m: None)
        self.connected = threading.Event()
        self.connections = 0
        self.session_present: bool | None = None
        self.stored = 0
        self.refused = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pending: list[Pending] = []
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True
        )
        if parsed.username:
            self.client.username_pw_set(unquote(parsed.username), unquote(parsed.password or ""))
        if parsed.scheme == "mqtts":
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- paho callbacks (network thread) -----------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if getattr(reason, "is_failure", False):
            self.log(f"MQTT connection refused: {reason}")
            return
        client.subscribe([(STA_TOPIC, 1), (GATEWAY_TOPIC, 1)])
        self.session_present = bool(getattr(flags, "session_present", False))
        self.connections += 1
        self.connected.set()
        self.log(
            f"MQTT connected to {self.host}:{self.port} (session present: {getattr(flags, 'session_present', '?')})"
        )

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            self.log(f"MQTT disconnected ({reason}); reconnecting")

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._pending.append(Pending(message.mid, message.topic, bytes(message.payload)))

    # -- running -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self._stop.set()
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()

    def run_forever(self) -> None:
        self.start()
        try:
            self.loop()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def loop(self, until: Callable[[], bool] | None = None) -> None:
        last = time.monotonic()
        while not self._stop.is_set() and not (until and until()):
            time.sleep(0.05)
            with self._lock:
                size = len(self._pending)
            if size >= self.batch_size or (size and time.monotonic() - last >= self.batch_seconds):
                self.flush()
                last = time.monotonic()

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        close_old_connections()
        try:
            stored, refused = handle_messages([(p.topic, p.payload) for p in batch])
        except Exception as exc:  # the database or the lake failed: keep the messages for a retry
            self.log(f"MQTT batch of {len(batch)} not stored ({type(exc).__name__}: {exc}); will retry")
            with self._lock:
                self._pending = batch + self._pending
            time.sleep(1)
            return 0
        finally:
            close_old_connections()
        self.stored += stored
        self.refused += refused
        for p in batch:
            self.client.ack(p.mid, 1)
        if refused:
            self.log(f"MQTT: {stored} stored, {refused} refused")
        return stored


def _decode(payload: bytes) -> Any:
    return json.loads(payload.decode("utf-8"), parse_float=Decimal)


def handle_messages(messages: list[tuple[str, bytes]]) -> tuple[int, int]:
    """Stores a list of (topic, payload); returns (stored, refused). Bad messages are refused,
    never retried."""
    from .errors import BadEntity
    from .services.broker import gateway_for_login
    from .services.gateway import gateway_batch_json
    from .services.sta import observations_create_many

    items: list[tuple[dict[str, Any], int]] = []
    refused = stored = 0
    for topic, payload in messages:
        try:
            data = _decode(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            refused += 1
            continue
        if topic.startswith("smartseoul/gateways/"):
            g = _GATEWAY_TOPIC.match(topic)
            gateway = gateway_for_login(g.group(1)) if g else None
            if gateway is None:
                refused += 1  # no such gateway login: nothing is stored on behalf of nobody
                continue
            try:
                result = gateway_batch_json(payload=data, gateway=gateway)
            except BadEntity:
                refused += 1
                continue
            stored += result["stored"]
            refused += result["refused"]
            continue
        if not isinstance(data, dict):
            refused += 1
            continue
        m = _DS_TOPIC.match(topic)
        ds_id: int | None = int(m.group(1)) if m else None
        f = _FOI_TOPIC.match(topic)
        if f:
            data = {**data, "FeatureOfInterest": {"@iot.id": int(f.group(1))}}
        if ds_id is None and (m or f or topic == "v1.1/Observations"):
            link = data.get("Datastream")
            ds_id = link.get("@iot.id") if isinstance(link, dict) and isinstance(link.get("@iot.id"), int) else None
        if ds_id is None:
            refused += 1  # not a create topic, or no Datastream
            continue
        data.pop("Datastream", None)
        items.append((data, ds_id))
    if items:
        result = observations_create_many(items=items, gateway=None)
        stored += result.accepted
        refused += len(result.errors) - result.duplicates
    return stored, refused
