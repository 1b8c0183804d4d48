"""The page, its script and the widget file, served from ``web/``.

Only the files named here are served (no directory listing, no path from the
URL reaches the file system). The widget comes from node_modules, installed by
``make web``; nothing is loaded from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from tactful.web.api import CONFIG
from tactful.web.config import WebConfig

STATIC_FILES = {
    "app.js": ("app.js", "text/javascript"),
    "style.css": ("style.css", "text/css"),
    "rasa-webchat.js": ("node_modules/rasa-webchat/lib/index.js", "text/javascript"),
}


def content_security_policy(config: WebConfig) -> str:
    rasa = urlsplit(config.rasa_url)
    socket_scheme = "wss" if rasa.scheme == "https" else "ws"
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {config.rasa_url} {socket_scheme}://{rasa.netloc}",
            # rasa-webchat injects <style> elements and inline styles at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            # Its carousel CSS embeds fonts as data: URLs. Its @import of Google
            # Fonts stays blocked: the page loads nothing from other sites.
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _file_response(path: Path, content_type: str, config: WebConfig) -> web.StreamResponse:
    if not path.is_file():
        hint = " (run `make web` to install the widget)" if "node_modules" in path.parts else ""
        return web.json_response({"error": f"{path.name} is missing{hint}"}, status=503)
    response = web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "no-cache"})
    return response


async def index(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG]
    response = _file_response(config.web_root / "index.html", "text/html; charset=utf-8", config)
    response.headers["Content-Security-Policy"] = content_security_policy(config)
    return response


async def static(request: web.Request) -> web.StreamResponse:
    config = request.app[CONFIG]
    entry = STATIC_FILES.get(request.match_info["name"])
    if entry is None:
        raise web.HTTPNotFound()
    relative, content_type = entry
    return _file_response(config.web_root / relative, f"{content_type}; charset=utf-8", config)


async def favicon(_request: web.Request) -> web.Response:
    return web.Response(status=204)


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/static/{name}", static)
