"""The ``docintake`` command's stable contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docintake import cli
from intake.settings import Settings, get_settings
from tests.conftest import sample


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DOCINTAKE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DOCINTAKE_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.mark.ocr
def test_extract_json_contract(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(sample("front-scan-1.jpg")), str(sample("bad", "not-a-card.jpg"))]
    assert cli.main(["extract", "--json", "--compact", "--today", "2026-11-21", *files]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in rows] == files
    good, bad = rows
    assert {"file", "sha256", "status", "documents"} <= set(good)
    (doc,) = good["documents"]
    assert doc["type"] == "id_card_front" and doc["status"] == "accepted"
    for field in doc["fields"].values():
        assert {"value", "raw", "confidence", "source", "page", "bbox"} <= set(field)
    assert bad["status"] == "rejected" and bad["reject_code"] == "no_document"


def test_extract_reports_an_unreadable_path(cli_env: Settings, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    rc = cli.main(["extract", "--json", str(tmp_path / "missing.jpg")])
    assert rc == 2
    assert "error" in json.loads(capsys.readouterr().out)


def test_verify_exit_codes(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.intake.test_evidence import _finished_document

    doc_id = _finished_document(cli_env)
    assert cli.main(["verify", doc_id]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert cli.main(["verify", "no-such-document"]) == 1


def test_client_and_reviewer_commands_make_credentials_that_work(cli_env: Settings, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app

    assert cli.main(["client", "scoring-service", "--role", "scorer"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = TestClient(create_app(cli_env, run_migrations=False))
    assert client.get("/v1/records/feed", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/v1/applications/a/documents", headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("a.jpg", b"x")}).status_code == 403, "a scorer does not upload"

    monkeypatch.setenv("DOCINTAKE_NEW_PASSWORD", "short")
    assert cli.main(["reviewer", "chen.jing"]) == 2
    monkeypatch.setenv("DOCINTAKE_NEW_PASSWORD", "a long enough password")
    assert cli.main(["reviewer", "chen.jing", "--role", "supervisor", "--name", "陈静"]) == 0
    r = client.post("/review/api/session", json={"username": "chen.jing", "password": "a long enough password"})
    assert r.status_code == 200 and r.json()["user"] == {"username": "chen.jing", "display_name": "陈静",
                                                         "role": "supervisor"}
