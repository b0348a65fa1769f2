"""The review page itself: two HTML files and their assets, and the headers every ``/review`` answer carries.

The page is static — everything it shows comes from :mod:`api.review.routes`
with the reviewer's session — so serving it to a visitor who is not signed in
gives away nothing; the page sends such a visitor to sign in.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import SESSION_COOKIE

STATIC = Path(__file__).resolve().parent / "static"
router = APIRouter(prefix="/review", include_in_schema=False)

HEADERS = {
    "Cache-Control": "no-store, private",
    "Pragma": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


class ReviewHeaders:
    """Middleware: nothing under ``/review`` may be cached by a proxy (or the browser), framed or sniffed.

    Pure ASGI (it only adds headers to the response start): Starlette's ``BaseHTTPMiddleware`` runs every
    request of the API, uploads included, through a task group and a memory stream, which cost the upload
    path a tenth of its throughput."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/review" or path.startswith("/review/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                headers["Vary"] = "Cookie"
            await send(message)

        await self.app(scope, receive, with_headers)


@router.get("")
def index(request: Request) -> Response:
    if not request.cookies.get(SESSION_COOKIE):
        return RedirectResponse("/review/login", status_code=303)
    return FileResponse(STATIC / "index.html", media_type="text/html")


@router.get("/login")
def login() -> Response:
    return FileResponse(STATIC / "login.html", media_type="text/html")


@router.get("/static/{name}")
def asset(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file() or path.suffix not in TYPES:
        return Response(status_code=404)
    return FileResponse(path, media_type=TYPES[path.suffix])
