"""Writes of the sensors module (one transaction per function, raising the module's errors).

- `ingest`: the observation pipeline (sandbox → source stage of the lake);
- `boxes`: S-DoT boxes, their datastreams and the S-DoT file import;
- `sta`: SensorThings create / update / delete;
- `derive`: service-stage aggregates and indices;
- `alerts`, `care`, `parking`: citizen alerts, senior care and shared parking.
"""

from __future__ import annotations
