"""Meta's side of a webhook (sign, POST, retry) now lives in `channels.meta.simulator.webhooks`."""

from channels.meta.simulator.webhooks import (
    WebhookDelivery,
    WebhookSender,
    encode_body,
    signature_headers,
)

__all__ = ["WebhookDelivery", "WebhookSender", "encode_body", "signature_headers"]
