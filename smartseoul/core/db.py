"""Database connections across processes."""

from __future__ import annotations

from django.db import connections


def close_before_fork() -> None:
    """Closes this process's connections and PostgreSQL connection pools before it forks: a child
    must inherit no open connection, nor a pool whose threads do not survive the fork."""
    for conn in connections.all(initialized_only=True):
        conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            close_pool()
