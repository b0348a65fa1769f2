"""Uploads, their status, and the page images their boxes refer to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, HTTPException, Request, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from api.deps import RowNumber, SessionDep, SettingsDep
from api.schemas import DocumentAccepted, DocumentView, Problem
from api.security import APP, APP_OR_SCORER, AUTH_ERRORS, Client
from api.views import document_view, page_image
from intake import retention, service
from intake.blobs import store_of
from intake.db import Document
from intake.errors import FileTooLarge

router = APIRouter(tags=["documents"])

ERRORS: dict[int | str, dict[str, object]] = {
    409: {"model": Problem, "description": "Idempotency-Key reused for a different file"},
    413: {"model": Problem, "description": "File over the upload limit"},
    415: {"model": Problem, "description": "Not an image or PDF"},
    422: {"model": Problem, "description": "Unreadable file or invalid request"},
    503: {"model": Problem, "description": "Storage unavailable; retry"},
}


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await upload.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/v1/applications/{application_id}/documents", status_code=status.HTTP_202_ACCEPTED,
             response_model=DocumentAccepted, responses=ERRORS | AUTH_ERRORS, dependencies=[APP])
async def upload_document(
    application_id: str,
    settings: SettingsDep,
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="The photo, scan or PDF")],
    document_type: Annotated[str | None, Form(
        description="Declared type: " + ", ".join(service.declarable_types()))] = None,
    password: Annotated[str | None, Form(
        description="The password of a password-protected statement PDF; used once to open it, never stored",
        json_schema_extra={"format": "password"})] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> DocumentAccepted:
    """Store the file and queue it for reading. Refuses unreadable files at once with a specific code."""
    if len((await request.form()).getlist("file")) > 1:  # the parsed form is cached: this reads nothing again
        raise service.InvalidRequest("send one file per upload; this request has several `file` parts")
    data = await _read_limited(file, settings.max_upload_bytes)
    accepted = await run_in_threadpool(
        service.accept, settings, application_id=application_id, data=data, filename=file.filename,
        content_type=file.content_type, declared_type=document_type or None, idempotency_key=idempotency_key,
        password=password or None)
    url = f"/v1/documents/{accepted.document_id}"
    response.headers["Location"] = url
    return DocumentAccepted(**accepted.model_dump(), status_url=url)


@router.get("/v1/documents/{document_id}", response_model=DocumentView,
            responses={**AUTH_ERRORS, 404: {"model": Problem}}, dependencies=[APP_OR_SCORER])
def get_document(document_id: str, s: SessionDep, settings: SettingsDep) -> DocumentView:
    """State, fields with provenance, findings and the evidence manifest of one upload."""
    doc = s.get(Document, document_id)
    if doc is None:
        raise HTTPException(404, detail="document_not_found")
    return document_view(s, doc, blobs=store_of(settings))


@router.get("/v1/documents/{document_id}/pages/{number}", responses={
    200: {"content": {"image/png": {}}, "description": "The page image the field boxes refer to"},
    404: {"model": Problem}, **AUTH_ERRORS}, dependencies=[APP_OR_SCORER])
def get_page(document_id: str, number: RowNumber, s: SessionDep, settings: SettingsDep) -> Response:
    data, sha256 = page_image(s, store_of(settings), document_id, number)
    return Response(data, media_type="image/png", headers={"ETag": f'"{sha256}"',
                                                          "Cache-Control": "private, max-age=3600"})


@router.delete("/v1/applications/{application_id}", responses={**AUTH_ERRORS, 404: {"model": Problem}},
               dependencies=[APP])
def delete_application(application_id: str, settings: SettingsDep,
                       client: Annotated[Client, APP]) -> dict[str, object]:
    """Delete an application on its applicant's request: every upload and page image, and every document's
    extracted fields in every version; a ``deleted`` event (the tombstone) stays in each document's evidence."""
    deleted = retention.delete_application(settings, application_id, who=client.name)
    if not deleted:
        raise HTTPException(404, detail="application_not_found")
    return {"application_id": application_id, "deleted": deleted}
