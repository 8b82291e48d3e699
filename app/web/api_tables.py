"""/api/tables: each explorer slider's whole range in one answer (app/web/table_answers.py), one POST route per
entry of the operations table's TABLE_OPERATIONS (app/web/kd_operations.py), which the live socket serves too."""
from __future__ import annotations

from fastapi import APIRouter

from app.web.kd_operations import TABLE_OPERATIONS, add_http_routes

router = APIRouter(prefix="/api/tables", tags=["tables"])
add_http_routes(router, TABLE_OPERATIONS)
