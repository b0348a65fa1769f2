"""The HTTP API (FastAPI): uploads, status, page images, records, the feed, health.

Start it with ``docintake serve`` (or ``uvicorn api.main:create_app --factory``).
"""
