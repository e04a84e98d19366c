"""The app as `serve` runs it (without the worker), plus `/bare`: a handler that does
nothing, on the same waitress server, so one run compares the two. Run by bench.run."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from waitress import serve

from bot.app import build_core, build_http_app, resolve_workspace
from bot.config import Settings


def bare_wsgi(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/bare":
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        return app(environ, start_response)

    return dispatch


def main() -> None:
    settings = Settings()
    core = build_core(settings)
    resolve_workspace(core)
    serve(bare_wsgi(build_http_app(core)), host="127.0.0.1", port=int(sys.argv[1]), threads=8,
          ident="smsbridge-bench")


if __name__ == "__main__":
    main()
