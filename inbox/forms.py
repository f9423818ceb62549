"""The inbox's URL-encoded form bodies. Unknown fields (the CSRF token) are ignored."""

from __future__ import annotations

from typing import Annotated

from litestar.enums import RequestEncodingType
from litestar.params import Body
from msgspec import Struct

from helpdesk.tickets import MAX_NOTE

NOTE_MAX = MAX_NOTE  # what helpdesk.tickets.add_note accepts
USERNAME_MAX = 80
PASSWORD_MAX = 1024  # argon2 hashes anything, but a megabyte of "password" is not one


class LoginForm(Struct):
    username: str = ""
    password: str = ""
    next: str = ""


class TextForm(Struct):
    body: str = ""
    #: a reply's way to the citizen where the channel offers several (helpdesk.reply_modes)
    reply_mode: str = ""


class LangForm(Struct):
    lang: str = ""
    next: str = ""


Login = Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
Text = Annotated[TextForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
Lang = Annotated[LangForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


def clean(text: str) -> str:
    """What the helpdesk will store: no NUL, no surrounding blanks (as queue_reply/add_note do)."""
    return text.replace("\x00", "").strip()
