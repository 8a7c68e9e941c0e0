"""The same OD aggregation on DuckDB and on PySpark (local mode) gives identical results."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import require_service

# One Spark session for both windows (a JVM start is most of the cost); lake files only, so the same
# on every database engine (CI runs it in the SQLite pass).
pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    require_service(shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME")), "Java",
                    "install a Java runtime (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("smartseoul-analytics-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.django_db
@pytest.mark.parametrize("window", [
    {"start_hour": 0, "end_hour": 5},
    {"start_hour": 22, "end_hour": 3, "weekdays": [4, 5]},
])
def test_duckdb_and_spark_od_aggregations_are_identical(city: Any, spark: Any, window: dict[str, Any]) -> None:
    from smartseoul.analytics import lake, portable, services

    services.trips_synthesise(rows=30_000, days=10, seed=9)
    expr = portable.od_by_hour(**window)
    duck = lake.run(expr).sort(["origin_cell", "dest_cell", "hour"])

    trips = spark.read.option("basePath", str(lake.dataset_dir(lake.TRIPS))).parquet(
        str(lake.dataset_dir(lake.TRIPS) / "date=*"))
    trips.createOrReplaceTempView("trips")
    spark_sql = portable.sql(expr, "spark")
    rows = spark.sql(spark_sql).collect()
    spark_result = sorted((r["origin_cell"], r["dest_cell"], int(r["hour"]), float(r["trips"]), int(r["records"]))
                          for r in rows)
    duck_result = sorted(zip(duck["origin_cell"].to_list(), duck["dest_cell"].to_list(),
                             [int(h) for h in duck["hour"].to_list()], duck["trips"].to_list(),
                             duck["records"].to_list(), strict=True))
    assert len(duck_result) > 1000
    assert spark_result == duck_result
