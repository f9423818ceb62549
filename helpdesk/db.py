"""Database engine and sessions for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Executable, event, func, inspect, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapper, Session

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


# Readers beside the one writer: WAL gives each a snapshot taken at its first read, so a page
# never waits for the ingest drain, the outbox or another request's write transaction.
SQLITE_READ_CONNECTIONS = 3


def create_read_engine(settings: Settings) -> AsyncEngine | None:
    """On SQLite, an engine for requests that only read; None elsewhere (PostgreSQL's pool
    already serves reads beside writes).

    Its connections are `query_only`: a write on them fails loudly instead of racing the
    writer, and its transactions start with a deferred BEGIN, which takes no lock."""
    if not settings.is_sqlite or ":memory:" in settings.database_url:
        return None  # an in-memory database is one connection's own: a reader would see another
    engine = create_async_engine(
        settings.database_url,
        connect_args={"timeout": 30},
        pool_size=SQLITE_READ_CONNECTIONS,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours, as on the writer (above)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # a reader may open a new file first
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        # 16 MB of page cache (SQLite's default is 2 MB): the inbox's active tickets of an office
        # at a million tickets span more pages than 2 MB, and each page view re-read them all.
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=_SQLiteSession)
    return async_sessionmaker(engine, expire_on_commit=False)


class _SQLiteSession(Session):
    """A session whose flushes insert new rows of a table in one statement (see `next_ids`)."""


@event.listens_for(_SQLiteSession, "before_flush")
def _number_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    pending: dict[Mapper[Any], list[Any]] = defaultdict(list)
    for instance in session.new:
        mapper = inspect(instance).mapper
        if (
            mapper.inherits is None
            and len(mapper.primary_key) == 1
            and mapper.local_table.autoincrement_column is mapper.primary_key[0]
            and mapper.primary_key_from_instance(instance)[0] is None
        ):
            pending[mapper].append(instance)
    for mapper, instances in pending.items():
        if len(instances) < 2:
            continue  # one row is one statement anyway
        (column,) = mapper.primary_key
        attribute = mapper.get_property_by_column(column).key
        first = _next_id(session.connection(), column)
        for number, instance in enumerate(instances, start=first):
            setattr(instance, attribute, number)


def _next_id(connection: Connection, column: Any) -> int:
    return int(connection.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


async def next_ids(session: AsyncSession, column: Any, count: int) -> range | None:
    """Ids for `count` new rows of `column`'s table, on SQLite; None elsewhere (the database
    returns them).

    SQLite cannot return the ids of a multi-row INSERT in the order of its rows, so SQLAlchemy
    inserts rows whose ids it needs one statement at a time (one thread hop each through
    aiosqlite). Every transaction here holds SQLite's write lock from its start (BEGIN
    IMMEDIATE, above): no one else inserts until it ends, so the ids after the largest are
    ours, and the rows go in one statement."""
    if session.bind is None or session.bind.dialect.name != "sqlite" or count < 2:
        return None
    first = await session.run_sync(lambda sync: _next_id(sync.connection(), column))
    return range(first, first + count)


JOIN_TURNS = 3


class GroupInsert:
    """Rows that arrive while an insert is in flight go into the next one together: under load
    one round trip and one commit (one WAL flush) store many rows, and a lone row goes at once.
    `insert` returns only once its row is committed, so a caller can acknowledge after it.

    Work that shares the process (the embedded drain) asks `busy_within` whether rows are
    arriving, and waits for a pause in them (`wait_quiet`) or for the ones waiting to be stored
    (`wait_idle`), to let them go first."""

    def __init__(self, engine: AsyncEngine, statement: Executable, max_rows: int = 500) -> None:
        self.engine = engine
        self.statement = statement
        self.max_rows = max_rows
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._last_row_at = float("-inf")

    async def insert(self, row: dict[str, Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        self._last_row_at = time.monotonic()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    @property
    def busy(self) -> bool:
        """Rows are waiting or being stored."""
        return self._flusher is not None and not self._flusher.done()

    def busy_within(self, seconds: float) -> bool:
        """Busy now, or a row came in during the last `seconds`."""
        return self.busy or time.monotonic() - self._last_row_at < seconds

    async def wait_idle(self, timeout: float) -> None:
        """Return once no row is waiting or being stored, or after `timeout` seconds."""
        if self._flusher is not None and not self._flusher.done():
            await asyncio.wait([self._flusher], timeout=timeout)

    async def wait_quiet(self, seconds: float, timeout: float) -> bool:
        """Return once no row has come in for `seconds` and none is waiting or being stored
        (True), or after `timeout` seconds of rows still coming (False)."""
        deadline = time.monotonic() + timeout
        while self.busy_within(seconds):
            now = time.monotonic()
            if now >= deadline:
                return False
            if self.busy:
                await self.wait_idle(deadline - now)
            else:  # idle, but a row came in lately: wait out the rest of `seconds`
                await asyncio.sleep(min(self._last_row_at + seconds, deadline) - now)
        return True

    async def _flush(self) -> None:
        # Requests that came in with this one are still being read and checked: a few turns of
        # the event loop let them join its insert instead of waiting behind it.
        for _ in range(JOIN_TURNS):
            await asyncio.sleep(0)
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
