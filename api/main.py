"""The FastAPI application factory and the one mapping of errors to responses.

Every :class:`~extractors.errors.IntakeError` becomes
``{"error": {code, message, message_zh, retryable[, detail]}}`` with the
error's HTTP status; nothing the user sent (names, numbers, file contents) is
echoed back.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.limits import RequestGate
from api.review import pages as review_pages
from api.review import routes as review_routes
from api.routes import deliveries, documents, health, records, versions
from intake.errors import IntakeError, StorageUnavailable
from intake.settings import Settings, get_settings
from intake.storage.db import migrate

NOT_FOUND = {
    "document_not_found": ("No document with this id.", "没有该文件。"),
    "page_not_found": ("No such page for this document.", "该文件没有此页。"),
    "page_purged": ("The page image was deleted under the retention policy or on request.",
                    "页面图像已按保存期限或应申请删除。"),
    "page_altered": ("The stored page image does not match its recorded hash.", "存储的页面图像与记录的哈希不符。"),
    "application_not_found": ("No documents for this application.", "该申请没有文件。"),
    "delivery_not_found": ("No webhook delivery with this id.", "没有该推送记录。"),
    "cursor_out_of_range": ("No cursor is that large.", "游标超出范围。"),
    "cursor_ahead_of_feed": ("The feed has not reached this cursor.", "记录流尚未到达该游标。"),
    "schema_not_found": ("No schema of this version.", "没有该版本的结构定义。"),
    "delivery_not_dead": ("Only a delivery parked as dead can be replayed.", "只有已停止重试的推送可以重新发送。"),
}


def _error(status: int, code: str, message: str, message_zh: str, retryable: bool = False,
           detail: str | None = None) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message, "message_zh": message_zh, "retryable": retryable}
    if detail:
        body["detail"] = detail
    return JSONResponse({"error": body}, status_code=status)


def intake_error_response(exc: IntakeError) -> JSONResponse:
    response = _error(exc.http_status, exc.code, exc.message, exc.message_zh, exc.retryable, exc.detail)
    if exc.http_status == 401:
        response.headers["WWW-Authenticate"] = "Bearer" if exc.code == "not_authenticated" else "Session"
    if (after := getattr(exc, "retry_after", None)) is not None:
        response.headers["Retry-After"] = str(after)
    return response


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or get_settings()
    settings.ensure_dirs()
    if run_migrations:
        migrate(settings.database_url)
    app = FastAPI(title="DocIntake", version="0.1.0",
                  description="Document intake and OCR for a credit app: ID cards, bank statements, contracts.")
    app.state.settings = settings

    @app.exception_handler(IntakeError)
    async def intake_error(_: Request, exc: IntakeError) -> JSONResponse:
        return intake_error_response(exc)

    @app.exception_handler(SQLAlchemyOperationalError)
    @app.exception_handler(RedisConnectionError)
    async def storage_down(_: Request, exc: Exception) -> JSONResponse:
        return intake_error_response(StorageUnavailable(f"{type(exc).__name__}; nothing was stored, retry later"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = str(exc.detail) if isinstance(exc.detail, str) else "http_error"
        en, zh = NOT_FOUND.get(code, (str(exc.detail), str(exc.detail)))
        return _error(exc.status_code, code if code in NOT_FOUND else f"http_{exc.status_code}", en, zh)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())
        return _error(422, "invalid_request", "The request is not valid.", "请求无效。", detail=where[:500])

    app.include_router(documents.router)
    app.include_router(records.router)
    app.include_router(deliveries.router)
    app.include_router(versions.router)
    app.include_router(health.router)
    app.include_router(review_pages.router)
    app.include_router(review_routes.router)
    app.add_middleware(review_pages.ReviewHeaders)
    app.add_middleware(RequestGate, settings=settings)  # the outermost: before anything reads a body
    return app
