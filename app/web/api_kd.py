"""/api/kd: the KD math of app.kd over JSON, one POST route per entry of the operations table
(app/web/kd_operations.py), which the live socket (WS /api/live) serves too."""
from __future__ import annotations

from fastapi import APIRouter

from app.web.kd_operations import OPERATIONS, add_http_routes

router = APIRouter(prefix="/api/kd", tags=["kd"])
add_http_routes(router, OPERATIONS)
