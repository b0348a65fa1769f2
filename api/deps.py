"""Dependencies as types: the settings and a database session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from intake.settings import Settings
from intake.storage.db import session_scope


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    with session_scope(settings.database_url) as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]


DB_INT_MAX = 2**31 - 1
"""The largest integer a column of ours holds (PostgreSQL ``integer``); a bigger one in a path or body is 422, not
a database error."""
RowNumber = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
"""A page number, delivery id or version in a path."""
