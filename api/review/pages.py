"""The review page itself: two HTML files and their assets, and the headers every ``/review`` answer carries.

The page is static — everything it shows comes from :mod:`api.review.routes`
with the reviewer's session — so serving it to a visitor who is not signed in
gives away nothing; the page sends such a visitor to sign in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

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


async def review_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: nothing under ``/review`` may be cached by a proxy (or the browser), framed or sniffed."""
    response = await call_next(request)
    if request.url.path == "/review" or request.url.path.startswith("/review/"):
        response.headers.update(HEADERS)
        response.headers["Vary"] = "Cookie"
    return response


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
