"""Uploads, their status, and the page images their boxes refer to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, HTTPException, Request, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from api.deps import RowNumber, SessionDep, SettingsDep
from api.schemas import DocumentAccepted, DocumentView, Problem
from api.security import APP, APP_OR_SCORER, AUTH_ERRORS, Client
from api.views import document_view, page_image
from intake.errors import FileTooLarge
from intake.operations import retention
from intake.storage.blobs import store_of
from intake.storage.db import Document
from intake.upload import service

router = APIRouter(tags=["documents"])

ERRORS: dict[int | str, dict[str, object]] = {
    409: {"model": Problem, "description": "Idempotency-Key reused for a different file"},
    413: {"model": Problem, "description": "File over the upload limit"},
    415: {"model": Problem, "description": "Not an image or PDF"},
    422: {"model": Problem, "description": "Unreadable file or invalid request"},
    503: {"model": Problem, "description": "Storage unavailable; retry"},
}


async def _read_limited(upload: StarletteUploadFile, limit: int) -> bytes:
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
    file: Annotated[UploadFile, File(description="The photo, scan or PDF. Several `file` parts, each a photo of one "
                                                 "page, make one document of several pages (together within the "
                                                 "upload limit)")],
    document_type: Annotated[str | None, Form(
        description="Declared type: " + ", ".join(service.declarable_types()))] = None,
    password: Annotated[str | None, Form(
        description="The password of a password-protected statement PDF; used once to open it, never stored",
        json_schema_extra={"format": "password"})] = None,
    continues: Annotated[str | None, Form(
        description="The id of a document sent page by page that this photo is a further page of; the document "
                    "is read again with all its pages", max_length=64)] = None,
    page: Annotated[list[int] | None, Form(
        description="The page number of each photo, in the order of the `file` parts (optional: pages are "
                    "ordered by the page numbers they print, else by these, else as sent)")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> DocumentAccepted:
    """Store the file and queue it for reading. Refuses unreadable files at once with a specific code."""
    files = [f for f in (await request.form()).getlist("file") if not isinstance(f, str)]  # the parsed form is cached
    pages: list[int | None] | None = list(page) if page else None
    if pages is not None and any(not 0 < n <= 10_000 for n in page or []):
        raise service.InvalidRequest("a page number is a whole number from 1")
    if continues:
        if len(files) > 1:
            raise service.InvalidRequest("continue a document with one photo per request")
        data = await _read_limited(file, settings.max_upload_bytes)
        accepted = await run_in_threadpool(
            service.add_page, settings, application_id=application_id, document_id=continues, data=data,
            page=pages[0] if pages else None)
    elif len(files) > 1 or pages:
        photos = [await _read_limited(f, settings.max_upload_bytes) for f in files]
        accepted = await run_in_threadpool(
            service.accept_photos, settings, application_id=application_id, photos=photos, pages=pages,
            filename=file.filename, content_type=file.content_type, declared_type=document_type or None,
            idempotency_key=idempotency_key)
    else:
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
