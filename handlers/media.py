"""GET/HEAD /media/<token>: outbound MMS media, fetched by Twilio.

Every failure answers the same 404, so a probe learns nothing about which tokens exist.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from bot.errors import NotFound
from bot.services.container import Services

NOT_FOUND = "Not Found"


def register(routes: Blueprint, services: Services) -> None:
    @routes.route("/media/<token>", methods=["GET", "HEAD"])
    def media(token: str) -> Response:
        try:
            served = services.media.open(token)
        except NotFound:
            return Response(NOT_FOUND, status=404, mimetype="text/plain",
                            headers={"Cache-Control": "no-store"})
        response = send_file(served.path, mimetype=served.content_type, conditional=False,
                             etag=False, max_age=None)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Length"] = str(served.size)
        return response
