"""Database engine and sessions for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Executable, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from helpdesk.settings import Settings


def create_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    if settings.is_sqlite:
        return _sqlite_engine(settings.database_url, **kwargs)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping: on asyncpg it costs a BEGIN/ROLLBACK round trip per checkout. A connection
    # that died with a server restart is invalidated on first use and the pool refills.
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(settings.database_url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> AsyncEngine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        from pathlib import Path

        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # SQLite takes one writer at a time, and every transaction here writes or may (BEGIN
    # IMMEDIATE below). One pooled connection makes the others wait on an asyncio queue instead
    # of in SQLite's busy handler, whose sleeps of up to 100 ms made the tail latency.
    # `timeout` still covers other processes (the CLI) holding the lock.
    kwargs.setdefault("pool_size", 1)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 60)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks BEGIN IMMEDIATE; take it over.
        # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a transaction that reads and then writes can
        # never fail half-way with SQLITE_BUSY because another writer committed in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class GroupInsert:
    """Rows that arrive while an insert is in flight go into the next one together: under load
    one round trip and one commit (one WAL flush) store many rows, and a lone row goes at once.
    `insert` returns only once its row is committed, so a caller can acknowledge after it."""

    def __init__(self, engine: AsyncEngine, statement: Executable, max_rows: int = 500) -> None:
        self.engine = engine
        self.statement = statement
        self.max_rows = max_rows
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def insert(self, row: dict[str, Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_rows]
            del self._waiting[: self.max_rows]
            try:
                await execute_alone(self.engine, self.statement, [row for row, _ in batch])
            except Exception as exc:  # every caller of the batch gets the error, none a 200
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():  # a caller that went away: its row is stored anyway
                        future.set_result(None)


async def execute_alone(
    engine: AsyncEngine,
    statement: Executable,
    parameters: dict[str, Any] | list[dict[str, Any]] | None = None,
) -> None:
    """Run one statement, committed by itself. On PostgreSQL in autocommit: one round trip
    instead of BEGIN, the statement and COMMIT (a single statement is atomic anyway)."""
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(statement, parameters)
        else:
            await connection.execute(statement, parameters)
            await connection.commit()


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed on success, rolled back on any exception."""
    async with sessions() as session, session.begin():
        yield session
