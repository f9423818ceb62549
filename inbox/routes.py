"""The shared-inbox web UI: what `helpdesk.app.create_app` mounts.

- `GET /login`, `POST /login`, `POST /logout`, `POST /lang`
- `GET /` the ticket list; `GET /tickets/{id}` a ticket; `GET /tickets/{id}/timeline` (htmx poll)
- `POST /tickets/{id}/reply`, `POST /tickets/{id}/notes`, `POST /messages/{id}/retry`
- superusers: `GET /admin/events` (inbound events that did not become messages),
  `POST /admin/events/{id}/replay`

Every route but login and language needs a session user; without one the 401 becomes a redirect
to the login page (`inbox_exception_handler`). Forms are CSRF-protected by the app's CSRFConfig.
"""

from __future__ import annotations

from typing import Any

from inbox.admin_views import AdminController
from inbox.auth_views import AUTH_ROUTES
from inbox.errors import inbox_exception_handler
from inbox.ticket_views import InboxController

INBOX_ROUTES: list[Any] = [*AUTH_ROUTES, InboxController, AdminController]

__all__ = ["INBOX_ROUTES", "inbox_exception_handler"]
