"""The report keys an office's table in the offices file may carry, checked at `offices load`:
`register_mask` (how the register book shows names), `recap_to`, `recap_at`, `recap_group` (the
daily recap's schedule, `helpdesk.reports.recap_mail`)."""

from __future__ import annotations

import re
from typing import Any

MAX_RECIPIENTS = 20
MASKS = ("partial", "initials", "none")
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def office_settings(where: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The report keys of an office's table in the offices file, checked."""
    from helpdesk.offices import OfficesFileError  # at call time: offices imports this module

    settings: dict[str, Any] = {}
    if "register_mask" in raw:
        if raw["register_mask"] not in MASKS:
            raise OfficesFileError(f"{where}: register_mask must be one of {', '.join(MASKS)}")
        settings["register_mask"] = raw["register_mask"]
    if "recap_to" in raw:
        addresses = raw["recap_to"]
        if isinstance(addresses, str):
            addresses = [addresses]
        if (
            not isinstance(addresses, list)
            or len(addresses) > MAX_RECIPIENTS
            or not all(isinstance(a, str) and _ADDRESS.match(a) for a in addresses)
        ):
            raise OfficesFileError(f"{where}: recap_to must be a list of mail addresses")
        settings["recap_to"] = addresses
    if "recap_at" in raw:
        if not isinstance(raw["recap_at"], str) or not _AT.match(raw["recap_at"]):
            raise OfficesFileError(f'{where}: recap_at must be a time like "16:30"')
        settings["recap_at"] = raw["recap_at"]
    if "recap_group" in raw:
        settings["recap_group"] = bool(raw["recap_group"])
    return settings
