"""SOP profiles: one TOML file per office SOP, parsed into frozen dataclasses and validated.

A profile names the steps of the SOP table, the role that acts in each, the actions that leave
each step and where they lead, each step's time standard (Mutu Baku), the overall deadline and
what happens when a time passes. Every error names the file, the step and the reason, so an
office that writes its own profile learns at `offices load` what is wrong. The shipped profiles
live in `helpdesk/sops/`; `default.toml` documents the format.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpdesk.models import Category, DecisionOutcome, Role, TicketKind
from helpdesk.workflow.calendar import CalendarError, parse_hours

SHIPPED = Path(__file__).resolve().parent.parent / "sops"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DURATION = re.compile(
    r"^(\d+)\s*(minutes?|menit|hours?|jam|working[_ ]days?|hari(?:[_ ]kerja)?)$", re.IGNORECASE
)
STEP_ROLES = tuple(r.value for r in Role if r is not Role.superuser)
STATUSES = ("open", "resolved", "closed")
KINDS = ("move", "reply", "escalate", "decide", "return", "consult", "advise")
OVERDUE_DOES = ("warn", "escalate", "notify")
DECIDERS = (Role.kasie.value, Role.kabid.value, Role.kadis.value)


class ProfileError(ValueError):
    """A profile is refused; the message names the file, the step and the reason."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "minutes", "days" (working days), or "deadline" (until the overall deadline)

    @property
    def minutes(self) -> int:
        return self.amount if self.unit == "minutes" else 0

    def label(self) -> str:
        if self.unit == "deadline":
            return "sampai batas waktu keseluruhan"
        if self.unit == "days":
            return f"{self.amount} hari kerja"
        if self.amount % 60 == 0:
            return f"{self.amount // 60} jam kerja"
        return f"{self.amount} menit"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str  # text, textarea, choice, multichoice
    required: bool = True
    choices: tuple[str, ...] = ()
    required_when: tuple[tuple[str, str], ...] = ()  # (field, value): required only then

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
        }
        if self.choices:
            data["choices"] = list(self.choices)
        if self.required_when:
            data["required_when"] = dict(self.required_when)
        return data


# The fields an action may ask for, by name; labels are what the inbox shows.
FIELD_LIBRARY: Mapping[str, tuple[str, str]] = {
    "body": ("Jawaban untuk pemohon", "textarea"),
    "reason": ("Alasan", "textarea"),
    "note": ("Catatan", "textarea"),
    "question": ("Pertanyaan untuk Group Admin / Tim Penjawab Aduan", "textarea"),
    "missing": ("Persyaratan yang belum lengkap", "multichoice"),
    "outcome": ("Keputusan", "choice"),
    "unit": ("Unit yang menindaklanjuti", "text"),
    "reference": ("Nomor dokumen / referensi", "text"),
    "kecamatan": ("Kecamatan", "text"),
}
# What each kind of action always asks for.
KIND_FIELDS: Mapping[str, tuple[str, ...]] = {
    "move": (),
    "reply": ("body",),
    "escalate": ("reason",),
    "decide": ("outcome", "reason", "unit", "body"),
    "return": ("missing",),
    "consult": ("question",),
    "advise": ("body",),
}


# … and what it may be given besides.
KIND_OPTIONAL: Mapping[str, tuple[str, ...]] = {"return": ("note",)}


@dataclass(frozen=True)
class OverdueRule:
    do: str  # warn, escalate, notify
    to: str | None = None  # escalate: the step (and so the role) it goes to
    roles: tuple[str, ...] = ()  # notify: who is told


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    kind: str
    to: str | None
    roles: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    outcomes: Mapping[str, str] = field(default_factory=dict)  # decide: outcome -> step
    message: str | None = None  # a text sent to the citizen when taken ({register_no}, …)
    set_kind: str | None = None
    set_category: str | None = None


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    roles: tuple[str, ...]
    time: Duration | None
    status: str
    actions: tuple[Action, ...]
    requirements: tuple[str, ...] = ()
    warn_before: Duration | None = None
    on_overdue: tuple[OverdueRule, ...] = ()
    rows: str = ""  # the SOP table rows this step encodes

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    source: str
    path: str
    kind: str
    deadline: Duration
    warn_before: Duration | None
    on_overdue: tuple[OverdueRule, ...]
    start: Mapping[str, str]  # channel (or "default") -> step id
    reopen: str
    steps: Mapping[str, Step]
    units: Mapping[str, str]  # category -> the unit it routes to
    working_hours: Mapping[str, str] | None = None
    holidays: tuple[str, ...] = ()

    def step(self, step_id: str) -> Step | None:
        return self.steps.get(step_id)

    def start_step(self, channel: str | None) -> Step:
        return self.steps[self.start.get(channel or "", self.start["default"])]


# -- loading ---------------------------------------------------------------------------------
def shipped_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def resolve_ref(ref: str, base: Path | None = None) -> Path:
    """A shipped profile's name, or a path to a profile file (relative to `base`)."""
    ref = (ref or "default").strip()
    if _ID.match(ref.replace("-", "_")) and (SHIPPED / f"{ref}.toml").is_file():
        return SHIPPED / f"{ref}.toml"
    path = Path(ref).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if ("/" in ref or ref.endswith(".toml")) and path.is_file():
        return path.resolve()
    raise ProfileError(
        f"unknown SOP profile {ref!r}: not a shipped profile ({', '.join(shipped_names())}) "
        "nor a readable .toml file"
    )


def load_profile(ref: str, base: Path | None = None) -> Profile:
    path = resolve_ref(ref, base)
    return _load_cached(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, _mtime: int) -> Profile:
    return parse_profile(Path(path).read_text(encoding="utf-8"), Path(path))


def parse_profile(text: str, path: Path) -> Profile:
    return _Parser(path).profile(text)


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, reason: str, step: str | None = None) -> ProfileError:
        where = f"{self.path.name}: step {step!r}: " if step else f"{self.path.name}: "
        return ProfileError(where + reason)

    def keys(self, raw: Mapping[str, Any], allowed: set[str], what: str, step: str | None) -> None:
        extra = set(raw) - allowed
        if extra:
            raise self.fail(f"{what}: unknown key(s) {', '.join(sorted(extra))}", step)

    def duration(self, value: Any, what: str, step: str | None, deadline_ok: bool) -> Duration:
        text = str(value).strip().lower()
        if deadline_ok and text == "deadline":
            return Duration(0, "deadline")
        match = _DURATION.match(text)
        if not match or int(match.group(1)) <= 0:
            raise self.fail(
                f'{what} {value!r} is not a duration like "15 menit", "2 jam" or '
                '"3 hari kerja"' + (' (or "deadline")' if deadline_ok else ""),
                step,
            )
        amount, unit = int(match.group(1)), match.group(2)
        if unit.startswith(("hour", "jam")):
            return Duration(amount * 60, "minutes")
        if unit.startswith(("minute", "menit")):
            return Duration(amount, "minutes")
        return Duration(amount, "days")

    def warn_before(self, raw: Mapping[str, Any], step: str | None) -> Duration | None:
        if "warn_before" not in raw:
            return None
        value = self.duration(raw["warn_before"], "warn_before", step, deadline_ok=False)
        if value.unit != "minutes":
            raise self.fail('warn_before is counted in minutes or hours (e.g. "2 jam")', step)
        return value

    def roles(self, value: Any, step: str | None, allowed: tuple[str, ...] = STEP_ROLES) -> tuple:
        roles = (value,) if isinstance(value, str) else tuple(value or ())
        if not roles:
            raise self.fail("no role acts in it (give `role`)", step)
        for role in roles:
            if role not in allowed:
                raise self.fail(f"unknown role {role!r} (known: {', '.join(allowed)})", step)
        return tuple(roles)

    def overdue(self, raw: Any, step: str | None) -> tuple[OverdueRule, ...]:
        rules = []
        for item in raw or ():
            item = {"do": item} if isinstance(item, str) else item
            if not isinstance(item, dict):
                raise self.fail('on_overdue entries are "warn" or tables', step)
            self.keys(item, {"do", "to", "roles"}, "on_overdue", step)
            do = item.get("do")
            if do not in OVERDUE_DOES:
                raise self.fail(
                    f"on_overdue: unknown `do` {do!r} (known: {', '.join(OVERDUE_DOES)})", step
                )
            if do == "escalate" and not item.get("to"):
                raise self.fail("on_overdue: escalate needs `to` (the step that takes over)", step)
            roles = self.roles(item.get("roles"), step) if do == "notify" else ()
            rules.append(OverdueRule(do=do, to=item.get("to"), roles=roles))
        return tuple(rules)

    def profile(self, text: str) -> Profile:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise self.fail(f"not valid TOML: {exc}") from exc
        self.keys(
            raw,
            {
                "name",
                "title",
                "source",
                "kind",
                "deadline",
                "warn_before",
                "on_overdue",
                "start",
                "reopen",
                "step",
                "units",
                "working_hours",
                "holidays",
            },
            "profile",
            None,
        )
        if "deadline" not in raw:
            raise self.fail('missing the overall `deadline` (e.g. "1 hari kerja")')
        deadline = self.duration(raw["deadline"], "deadline", None, deadline_ok=False)
        kind = raw.get("kind", TicketKind.pengaduan.value)
        if kind not in {k.value for k in TicketKind}:
            raise self.fail(f"unknown kind {kind!r}")
        raw_steps = raw.get("step")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise self.fail("no [[step]] tables")
        steps: dict[str, Step] = {}
        for item in raw_steps:
            step = self.step(item)
            if step.id in steps:
                raise self.fail("appears twice", step.id)
            steps[step.id] = step
        start = raw.get("start", next(iter(steps)))
        start = {"default": start} if isinstance(start, str) else dict(start)
        if "default" not in start:
            raise self.fail("`start` needs a `default` step")
        hours = raw.get("working_hours")
        if hours is not None:
            try:
                parse_hours(hours)
            except CalendarError as exc:
                raise self.fail(f"working_hours: {exc}") from exc
        units = dict(raw.get("units", {}))
        for category in units:
            if category not in {c.value for c in Category}:
                raise self.fail(f"units: unknown category {category!r}")
        profile = Profile(
            name=str(raw.get("name", self.path.stem)),
            title=str(raw.get("title", "")),
            source=str(raw.get("source", "")),
            path=str(self.path),
            kind=kind,
            deadline=deadline,
            warn_before=self.warn_before(raw, None),
            on_overdue=self.overdue(raw.get("on_overdue", ["warn"]), None),
            start=start,
            reopen=str(raw.get("reopen", start["default"])),
            steps=steps,
            units=units,
            working_hours=hours,
            holidays=tuple(str(d) for d in raw.get("holidays", ())),
        )
        self.check_graph(profile)
        return profile

    def step(self, raw: Any) -> Step:
        if not isinstance(raw, dict):
            raise self.fail("every [[step]] must be a table")
        step_id = str(raw.get("id", ""))
        if not _ID.match(step_id):
            raise self.fail(f"step id {step_id!r} must be lower-case letters, digits and _")
        self.keys(
            raw,
            {
                "id",
                "label",
                "role",
                "time",
                "status",
                "action",
                "requirements",
                "warn_before",
                "on_overdue",
                "rows",
            },
            "step",
            step_id,
        )
        status = raw.get("status", "open")
        if status not in STATUSES:
            raise self.fail(f"unknown status {status!r} (known: {', '.join(STATUSES)})", step_id)
        roles = self.roles(raw.get("role"), step_id) if status != "closed" or "role" in raw else ()
        time = None
        if status == "open":
            if "time" not in raw:
                raise self.fail(
                    'missing time standard (Mutu Baku): give `time`, e.g. "15 menit", or '
                    '"deadline" when the SOP sets none for this step',
                    step_id,
                )
            time = self.duration(raw["time"], "time", step_id, deadline_ok=True)
        requirements = tuple(str(r) for r in raw.get("requirements", ()))
        actions = tuple(self.action(a, step_id, roles, requirements) for a in raw.get("action", ()))
        names = [a.name for a in actions]
        if len(set(names)) != len(names):
            raise self.fail("two actions share a name", step_id)
        if status == "open" and not actions:
            raise self.fail("no action leaves this step", step_id)
        if status == "closed" and actions:
            raise self.fail("a closed step cannot have actions", step_id)
        step = Step(
            id=step_id,
            label=str(raw.get("label", step_id)),
            roles=roles,
            time=time,
            status=status,
            actions=actions,
            requirements=requirements,
            warn_before=self.warn_before(raw, step_id),
            on_overdue=self.overdue(raw.get("on_overdue", ["warn"]), step_id),
            rows=str(raw.get("rows", "")),
        )
        if any(a.kind == "return" for a in actions) and not step.requirements:
            raise self.fail("a `return` action needs the step's `requirements` checklist", step_id)
        return step

    def action(
        self, raw: Any, step_id: str, step_roles: tuple[str, ...], requirements: tuple[str, ...]
    ) -> Action:
        if not isinstance(raw, dict):
            raise self.fail("every [[step.action]] must be a table", step_id)
        name = str(raw.get("name", ""))
        if not _ID.match(name):
            raise self.fail(
                f"action name {name!r} must be lower-case letters, digits and _", step_id
            )
        self.keys(
            raw,
            {
                "name",
                "label",
                "kind",
                "to",
                "role",
                "fields",
                "optional",
                "outcomes",
                "message",
                "set_kind",
                "set_category",
            },
            f"action {name!r}",
            step_id,
        )
        kind = raw.get("kind", "move")
        if kind not in KINDS:
            raise self.fail(
                f"action {name!r}: unknown kind {kind!r} (known: {', '.join(KINDS)})", step_id
            )
        if kind in {"move", "reply", "escalate", "advise"} and not raw.get("to"):
            raise self.fail(f"action {name!r} ({kind}) needs `to`", step_id)
        outcomes = dict(raw.get("outcomes", {}))
        if kind == "decide":
            if not outcomes:
                raise self.fail(f"action {name!r}: a decision needs `outcomes`", step_id)
            for outcome in outcomes:
                if outcome not in {o.value for o in DecisionOutcome}:
                    raise self.fail(f"action {name!r}: unknown outcome {outcome!r}", step_id)
        for key, value, allowed in (
            ("set_kind", raw.get("set_kind"), {k.value for k in TicketKind}),
            ("set_category", raw.get("set_category"), {c.value for c in Category}),
        ):
            if value is not None and value not in allowed:
                raise self.fail(f"action {name!r}: {key} {value!r} is unknown", step_id)
        fields = self.fields(raw, name, kind, outcomes, step_id, requirements)
        roles = self.roles(raw["role"], step_id) if "role" in raw else step_roles
        if kind == "decide" and not set(roles) <= set(DECIDERS):
            raise self.fail(
                f"action {name!r}: decisions are taken by {', '.join(DECIDERS)}, not "
                f"{', '.join(r for r in roles if r not in DECIDERS)}",
                step_id,
            )
        return Action(
            name=name,
            label=str(raw.get("label", name)),
            kind=kind,
            to=raw.get("to"),
            roles=roles,
            fields=fields,
            outcomes=outcomes,
            message=raw.get("message"),
            set_kind=raw.get("set_kind"),
            set_category=raw.get("set_category"),
        )

    def fields(
        self,
        raw: Mapping[str, Any],
        name: str,
        kind: str,
        outcomes: Mapping[str, str],
        step: str,
        requirements: tuple[str, ...],
    ) -> tuple[FieldSpec, ...]:
        specs: list[FieldSpec] = []
        wanted = [(f, True) for f in (*KIND_FIELDS[kind], *raw.get("fields", ()))]
        wanted += [(f, False) for f in (*KIND_OPTIONAL.get(kind, ()), *raw.get("optional", ()))]
        for field_name, required in wanted:
            if field_name not in FIELD_LIBRARY:
                raise self.fail(
                    f"action {name!r}: unknown field {field_name!r} "
                    f"(known: {', '.join(FIELD_LIBRARY)})",
                    step,
                )
            if any(s.name == field_name for s in specs):
                continue
            label, type_ = FIELD_LIBRARY[field_name]
            spec = FieldSpec(field_name, label, type_, required)
            if kind == "decide" and field_name == "outcome":
                spec = FieldSpec(field_name, label, type_, True, tuple(outcomes))
            elif field_name == "missing":
                spec = FieldSpec(field_name, label, type_, required, requirements)
            elif kind == "decide" and field_name == "unit":
                # Needed for a follow-up unless the ticket's category already routes to a unit.
                spec = FieldSpec(field_name, label, type_, False)
            elif kind == "decide" and field_name == "body":
                spec = FieldSpec(field_name, label, type_, False, (), (("outcome", "answer"),))
            specs.append(spec)
        return tuple(specs)

    def check_graph(self, profile: Profile) -> None:
        steps = profile.steps
        for key, target in (*profile.start.items(), ("reopen", profile.reopen)):
            if target not in steps:
                which = "reopen" if key == "reopen" else "start"
                raise self.fail(f"`{which}` names unknown step {target!r}")
            if steps[target].status != "open":
                raise self.fail(f"the start step {target!r} must be an open step")
        edges: dict[str, set[str]] = {s: set() for s in steps}
        for rule in profile.on_overdue:
            if rule.to and rule.to not in steps:
                raise self.fail(f"on_overdue escalates to unknown step {rule.to!r}")
        for step in steps.values():
            for action in step.actions:
                targets = [action.to] if action.to else []
                targets += list(action.outcomes.values())
                for target in targets:
                    if target not in steps:
                        raise self.fail(
                            f"action {action.name!r} leads to unknown step {target!r}", step.id
                        )
                edges[step.id].update(targets)
            for rule in step.on_overdue:
                if rule.to and rule.to not in steps:
                    raise self.fail(f"on_overdue escalates to unknown step {rule.to!r}", step.id)
                if rule.to:
                    edges[step.id].add(rule.to)
        seen: set[str] = set()
        todo = [*profile.start.values(), profile.reopen]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(edges[current])
        for step_id in steps:
            if step_id not in seen:
                raise self.fail("unreachable: no action leads to it from the start", step_id)
        if not any(s.status != "open" for s in steps.values()):
            raise self.fail("no step resolves or closes the ticket")
