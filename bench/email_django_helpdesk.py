"""django-helpdesk's `get_email` on the same mails, for comparison (used by bench.email_ingest).

In a directory of its own: a virtual environment with django-helpdesk (pinned versions that
install on Python 3.11), a minimal Django project (SQLite, mail to the dummy backend, so its
acknowledgements are rendered but never sent), and one helpdesk Queue reading either an IMAP
mailbox (`email_box_type = "imap"`, no SSL) or a local directory of .eml files (`"local"`).
Then `python manage.py get_email` is timed from its launch to its exit, and its tickets and
follow-ups are counted. Nothing here imports Django: it all runs in the other environment.

Alone, on a directory of .eml files (they are deleted as django-helpdesk reads them):

    .venv/bin/python -m bench.email_django_helpdesk --eml-dir DIR [--venv PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PINS = ("django-helpdesk==2.6.1", "Django==5.2.19")
QUEUE_SLUG = "dukcapil"
QUEUE_ADDRESS = "dukcapil@brebes.test"
PIP_TIMEOUT = 900


class DjangoHelpdeskError(Exception):
    pass


@dataclass(frozen=True)
class Setup:
    python: Path
    project: Path
    version: str
    packages: list[str]


@dataclass(frozen=True)
class ImapSource:
    host: str
    port: int
    user: str
    password: str

    def queue_fields(self) -> dict[str, Any]:
        return {
            "email_box_type": "imap",
            "email_box_host": self.host,
            "email_box_port": self.port,
            "email_box_ssl": False,
            "email_box_user": self.user,
            "email_box_pass": self.password,
            "email_box_imap_folder": "INBOX",
        }

    def describe(self) -> str:
        return f"imap://{self.user}@{self.host}:{self.port}/INBOX"


@dataclass(frozen=True)
class LocalSource:
    directory: Path

    def queue_fields(self) -> dict[str, Any]:
        return {"email_box_type": "local", "email_box_local_dir": str(self.directory)}

    def describe(self) -> str:
        return f"local directory {self.directory}"


Source = ImapSource | LocalSource

SETTINGS = """
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "dhbench.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
MEDIA_ROOT = BASE / "media"
STATIC_URL = "/static/"
# Acknowledgements to the submitter are rendered, then dropped: nothing is sent.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "dukcapil@brebes.test"
HELPDESK_TEAMS_MODE_ENABLED = False  # no pinax-teams
"""

URLS = """
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""

MANAGE = """
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""

# Run inside the other environment: `python tool.py queue JSON` / `python tool.py count`.
TOOL = """
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")
import django

django.setup()
from django.db.models import Max, Min
from helpdesk.models import FollowUp, FollowUpAttachment, Queue, Ticket

if sys.argv[1] == "queue":
    fields = json.loads(sys.argv[2])
    Queue.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
elif sys.argv[1] == "count":
    span = FollowUp.objects.aggregate(first=Min("date"), last=Max("date"))
    print(json.dumps({
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "attachments": FollowUpAttachment.objects.count(),
        "first": span["first"].timestamp() if span["first"] else None,
        "last": span["last"].timestamp() if span["last"] else None,
    }))
"""


def run(command: list[str], cwd: Path | None = None, timeout: float = 300) -> str:
    try:
        out = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DjangoHelpdeskError(f"{' '.join(command[:4])}: {exc}") from exc
    if out.returncode != 0:
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-15:])
        raise DjangoHelpdeskError(f"{' '.join(command[:4])} failed ({out.returncode}):\n{tail}")
    return out.stdout


def ensure_venv(venv: Path) -> Path:
    """A virtual environment with the pinned django-helpdesk (pip is a no-op when it has it)."""
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
        timeout=PIP_TIMEOUT,
    )
    return python


def write_project(project: Path) -> None:
    package = project / "dhbench"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS.lstrip())
    (package / "urls.py").write_text(URLS.lstrip())
    (project / "manage.py").write_text(MANAGE.lstrip())
    (project / "tool.py").write_text(TOOL.lstrip())


def prepare(project: Path, venv: Path) -> Setup:
    """The environment, the project and its migrated SQLite database (not timed)."""
    python = ensure_venv(venv)
    write_project(project)
    run([str(python), "manage.py", "migrate", "-v", "0"], cwd=project)
    packages = run([str(python), "-m", "pip", "freeze"]).split()
    version = next((p.split("==")[1] for p in packages if p.startswith("django-helpdesk==")), "?")
    return Setup(python, project, version, packages)


def configure_queue(setup: Setup, source: Source) -> None:
    fields = {
        "slug": QUEUE_SLUG,
        "title": "Dukcapil Brebes",
        "email_address": QUEUE_ADDRESS,
        "allow_email_submission": True,
        "email_box_interval": 0,
        "logging_type": "none",  # its per-queue log off: the cheapest setting
        **source.queue_fields(),
    }
    run([str(setup.python), "tool.py", "queue", json.dumps(fields)], cwd=setup.project)


def counts(setup: Setup) -> dict[str, Any]:
    return json.loads(run([str(setup.python), "tool.py", "count"], cwd=setup.project))


@dataclass(frozen=True)
class Timed:
    seconds: float
    returncode: int
    cpu_seconds: float
    loadavg_max: float


def timed_get_email(setup: Setup, timeout: float) -> Timed:
    """`manage.py get_email` from launch to exit, with its CPU time (wait4's rusage)."""
    log = (setup.project / "get_email.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(setup.python), "manage.py", "get_email", "--quiet"],
        cwd=setup.project,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    loadavg_max = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            cpu = usage.ru_utime + usage.ru_stime
            return Timed(round(seconds, 2), process.returncode, round(cpu, 2), loadavg_max)
        loadavg_max = max(loadavg_max, os.getloadavg()[0])
        if time.perf_counter() - started > timeout:
            process.kill()
            process.wait(10)
            raise DjangoHelpdeskError(f"get_email did not finish within {timeout:g} s")
        time.sleep(0.1)


def run_get_email(setup: Setup, source: Source, n: int, timeout: float) -> dict[str, Any]:
    configure_queue(setup, source)
    timed = timed_get_email(setup, timeout)
    found = counts(setup)
    log = (setup.project / "get_email.log").read_text(errors="replace").strip().splitlines()
    processed = found["followups"]
    span = found["last"] - found["first"] if found["first"] is not None else None
    return {
        "system": "django-helpdesk",
        "version": setup.version,
        "source": source.describe(),
        "returncode": timed.returncode,
        "messages": processed,
        "followups": processed,
        "tickets": found["tickets"],
        "attachments": found["attachments"],
        "seconds": timed.seconds if processed >= n else None,
        "mails_per_s": round(processed / timed.seconds, 1) if processed >= n else None,
        "mails_per_s_after_first": (
            round((processed - 1) / span, 1) if span and processed >= n else None
        ),
        "cpu_seconds": timed.cpu_seconds,  # SQLite runs inside it: its CPU is in this
        "cpu_ms_per_mail": round(1000 * timed.cpu_seconds / max(processed, 1), 1),
        "loadavg_max_during": round(timed.loadavg_max, 2),
        "log_tail": log[-10:],
        "packages": setup.packages,
        "pins": list(PINS),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.email_django_helpdesk")
    p.add_argument("--eml-dir", required=True, help="the mails (deleted as they are read)")
    p.add_argument("--venv", help="its virtualenv (created if missing, then kept)")
    p.add_argument("--timeout", type=float, default=600.0)
    args = p.parse_args(argv)
    directory = Path(args.eml_dir).resolve()
    n = sum(1 for f in directory.iterdir() if f.is_file())
    workdir = Path(tempfile.mkdtemp(prefix="bench-django-helpdesk-"))
    try:
        venv = Path(args.venv) if args.venv else workdir / "venv"
        setup = prepare(workdir / "project", venv)
        result = run_get_email(setup, LocalSource(directory), n, args.timeout)
    except DjangoHelpdeskError as exc:
        print(f"bench.email_django_helpdesk: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result.pop("packages")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
