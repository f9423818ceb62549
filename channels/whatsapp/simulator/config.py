"""What a simulator run needs to know: the office numbers it hosts and where the helpdesk is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class SimNumber(NamedTuple):
    """One WhatsApp Business phone number hosted by the simulator (plain tuples work too)."""

    phone_number_id: str
    display_phone_number: str
    access_token: str
    label: str


@dataclass(frozen=True, slots=True)
class StatusDelays:
    """Seconds after a send is accepted at which each status webhook goes out.

    `read=None` switches read receipts off, as a citizen who disabled them would:
    https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates
    """

    sent: float = 0.2
    delivered: float = 0.5
    read: float | None = 1.5


@dataclass(slots=True)
class SimulatorConfig:
    numbers: list[SimNumber]
    app_secret: str
    #: the helpdesk's `/webhooks/whatsapp`
    webhook_url: str
    #: the simulator's own base URL, for media download URLs; None derives it from each request
    public_url: str | None = None
    status_delays: StatusDelays = field(default_factory=StatusDelays)
    business_account_id: str = "102290129340398"
    #: Meta retries undelivered webhooks for days; the simulator stops after this many tries
    webhook_max_attempts: int = 5
    webhook_backoff_seconds: float = 1.0
    #: media URLs expire five minutes after the lookup
    media_url_ttl_seconds: float = 300.0
    #: fail sends outside the 24-hour window with a 131047 `failed` status, as Meta does
    enforce_reply_window: bool = False

    def __post_init__(self) -> None:
        self.numbers = [SimNumber(*number) for number in self.numbers]

    def number(self, phone_number_id: str) -> SimNumber | None:
        return next((n for n in self.numbers if n.phone_number_id == phone_number_id), None)

    def number_for_token(self, token: str | None) -> SimNumber | None:
        if not token:
            return None
        return next((n for n in self.numbers if n.access_token == token), None)
