"""Settings, read once from `HELPDESK_*` environment variables (DESIGN.md section 6)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from channels.base import PlatformEndpoints

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    secret_key: str
    redis_url: str | None = None
    config_file: Path | None = None
    endpoints: PlatformEndpoints = field(default_factory=PlatformEndpoints)
    # Refuse downloads of a single attachment larger than this (bytes).
    max_attachment_bytes: int = 16 * 1024 * 1024
    # Secure cookies need HTTPS; the embedded demo runs on plain http://127.0.0.1.
    secure_cookies: bool = False
    # In-process job runner concurrency (embedded mode only).
    inprocess_workers: int = 2
    # The arq queue (Redis key) web processes and workers share.
    queue_name: str = "helpdesk:jobs"
    # `helpdesk worker` lowers its CPU priority to this niceness (0: leave it): where it shares
    # a host with web processes, acknowledging a platform's webhook comes before processing it.
    worker_nice: int = 10
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none: the
    # connecting address is the client's.
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(f"HELPDESK_{name}")
            return value if value else None

        data_dir = Path(get("DATA_DIR") or PROJECT_ROOT / "var" / "data")
        database_url = (
            get("DATABASE_URL") or f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'helpdesk.db'}"
        )
        endpoints = PlatformEndpoints(
            graph_api_url=get("GRAPH_API_URL") or PlatformEndpoints.graph_api_url,
            telegram_api_url=get("TELEGRAM_API_URL") or PlatformEndpoints.telegram_api_url,
            lapor_api_url=get("LAPOR_API_URL") or PlatformEndpoints.lapor_api_url,
        )
        max_bytes = int(get("MAX_ATTACHMENT_BYTES") or cls.max_attachment_bytes)
        endpoints = replace(endpoints, max_media_bytes=max_bytes)
        return cls(
            database_url=normalise_database_url(database_url),
            data_dir=data_dir,
            secret_key=get("SECRET_KEY") or _development_secret(data_dir),
            redis_url=get("REDIS_URL"),
            config_file=Path(c) if (c := get("CONFIG")) else None,
            endpoints=endpoints,
            max_attachment_bytes=max_bytes,
            secure_cookies=(get("SECURE_COOKIES") or "").lower() in {"1", "true", "yes"},
            queue_name=get("QUEUE_NAME") or cls.queue_name,
            worker_nice=int(get("WORKER_NICE") or cls.worker_nice),
            trusted_proxies=_proxies(get("TRUSTED_PROXIES") or ""),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgresql://…`, `sqlite:///…`) and pick the async driver."""
    for plain, async_ in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_ + url[len(plain) :]
    return url


def _development_secret(data_dir: Path) -> str:
    """Without HELPDESK_SECRET_KEY, keep a random key on disk so sessions survive a restart.

    Several processes sharing one data directory share the key; production sets the variable.
    """
    path = data_dir.parent / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _proxies(value: str) -> tuple[str, ...]:
    """`HELPDESK_TRUSTED_PROXIES`: comma-separated addresses or networks, checked now."""
    from helpdesk.throttle import parse_proxies

    proxies = tuple(p.strip() for p in value.split(",") if p.strip())
    parse_proxies(proxies)  # ValueError naming a bad one: refuse to start
    return proxies
