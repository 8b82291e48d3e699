"""Who a client is, for per-client limits: the peer's IP address, as the server reports it.

A whole class behind one school router shares one address, so per-address limits are sized for a room
(app/settings.py); what one browser may do is bounded per connection first (a socket's work budget,
app/web/live.py). Behind a reverse proxy the proxy's address would be everyone's: start the server so it
takes the client's address from X-Forwarded-For for that proxy only (uvicorn's --forwarded-allow-ips).
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope

UNKNOWN = "unknown"      # a transport without a peer address (a Unix socket); all such clients are one


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else UNKNOWN


def get_client(request: Request) -> str:
    return client_address(request.scope)


ClientDep = Annotated[str, Depends(get_client)]
