"""GET /healthz: liveness and database reachability."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from bot.services.container import Services


def register(routes: Blueprint, services: Services) -> None:
    @routes.get("/healthz")
    def healthz() -> tuple[Response, int]:
        if services.health.database_ok():
            return jsonify(status="ok", database="ok"), 200
        return jsonify(status="degraded", database="unreachable"), 503
