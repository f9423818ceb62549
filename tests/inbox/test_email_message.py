"""An email in the timeline: its subject, its new text, and the folded quotes one click away."""

from __future__ import annotations

from tests.conftest import inbound
from tests.inbox.conftest import login


async def test_folded_quotes_are_one_click_away_and_escaped(client, seed, receive):
    received = await receive(
        inbound(
            "Terima kasih, sudah saya kirim.",
            details={
                "subject": "Re: KTP <rusak>",
                "full_text": (
                    "Terima kasih, sudah saya kirim.\n\nPada Senin ... menulis:\n"
                    "> <script>x</script>"
                ),
            },
        )
    )
    await login(client, "admin_brebes")
    page = (await client.get(f"/tickets/{received.ticket_id}")).text
    assert "Perihal: Re: KTP &lt;rusak&gt;" in page
    assert '<details class="full-text">' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
