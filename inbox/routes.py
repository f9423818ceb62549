"""The shared-inbox web UI: what `helpdesk.app.create_app` mounts.

- `GET /login`, `POST /login`, `POST /logout`, `POST /lang`
- `GET /` the ticket list; `GET /tickets/{id}` a ticket; `GET /tickets/{id}/timeline` (htmx poll)
- `POST /tickets/{id}/reply`, `POST /tickets/{id}/notes`, `POST /messages/{id}/retry`
- superusers: `GET /admin/events` (inbound events that did not become messages),
  `POST /admin/events/{id}/replay`
- `GET /contacts/{id}` (+ card, merge, dismiss), `POST /messages/{id}/reveal`: inbox.contact_views;
  `GET|POST /account/password`; superusers: offices, users, channels under /admin/
- SOP actions, labels, canned answers, the officials' queue, customer service: inbox.desk_routes
- `GET /` the ticket list (inbox.list_views); `GET /live` live updates (inbox.live)

Every route but login and language needs a session user; without one the 401 becomes a redirect
to the login page (`inbox_exception_handler`). Forms are CSRF-protected by the app's CSRFConfig.
"""

from __future__ import annotations

from typing import Any

from inbox.account_views import ACCOUNT_ROUTES
from inbox.admin_views import AdminController
from inbox.auth_views import AUTH_ROUTES
from inbox.contact_views import ContactController
from inbox.desk_routes import DESK_ROUTES
from inbox.errors import inbox_exception_handler
from inbox.lapor_views import LaporController
from inbox.list_views import ListController
from inbox.live import live_events
from inbox.public_views import PUBLIC_ROUTES
from inbox.reply_mode_views import ReplyModesController
from inbox.reply_views import ReplyExtrasController
from inbox.report_views import REPORT_ROUTES
from inbox.staff_link_views import STAFF_LINK_ROUTES
from inbox.ticket_views import InboxController

INBOX_ROUTES: list[Any] = [*AUTH_ROUTES, InboxController, AdminController]
INBOX_ROUTES += [ContactController, *ACCOUNT_ROUTES]  # contacts, reveal; password change
INBOX_ROUTES += DESK_ROUTES  # SOP actions, labels, canned answers, officials, CS
INBOX_ROUTES += [ListController, live_events]  # the inbox list; GET /live (server-sent events)
INBOX_ROUTES += [LaporController]  # SP4N-LAPOR import without the API
INBOX_ROUTES += [*REPORT_ROUTES, *PUBLIC_ROUTES]  # /reports, /register; /publik (no login)
INBOX_ROUTES += [ReplyExtrasController]  # templates, files, quotes, read receipts (issue 3)
INBOX_ROUTES += [ReplyModesController]  # public/private comment replies, windows (issue 3)
INBOX_ROUTES += STAFF_LINK_ROUTES  # linking a Telegram account (issue 5)

__all__ = ["INBOX_ROUTES", "inbox_exception_handler"]
