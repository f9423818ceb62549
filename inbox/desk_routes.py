"""The workflow desk's routes (mounted by `inbox.routes`):

- `POST /tickets/{id}/actions/{name}` an SOP action (the engine's rules), `POST
  /tickets/{id}/labels` and `…/labels/{label_id}/remove`, `GET /tickets/{id}/canned` (a canned
  answer into the reply box): inbox.sop_views
- `GET /officials` the officials' decision queue: inbox.officials_views
- `GET|POST /cs`, `GET /cs/receipt/{id}` complaints received in person: inbox.cs_views
- `GET|POST /canned`, `POST /canned/{id}/delete` an office's canned answers: inbox.canned_views
"""

from __future__ import annotations

from typing import Any

from inbox.canned_views import CannedController
from inbox.cs_views import CustomerServiceController
from inbox.officials_views import OfficialsController
from inbox.sop_views import SopController

DESK_ROUTES: list[Any] = [
    SopController,
    OfficialsController,
    CustomerServiceController,
    CannedController,
]
