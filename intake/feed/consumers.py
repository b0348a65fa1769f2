"""Feed consumers: each one's acknowledged cursor, owned by the API client that made it.

A consumer is created by its first acknowledgement and belongs to that client
from then on: another client's token can neither read its place nor move it
(a scorer token of one service must not make another service skip entries).
Creation is an insert that ignores a conflict, then a locked read, so two first
acknowledgements racing each other both succeed, the later cursor winning.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from extractors.errors import IntakeError
from intake.storage.db import FeedConsumer, utcnow


class ConsumerTaken(IntakeError):
    code = "consumer_taken"
    message = "This feed consumer belongs to another API client."
    message_zh = "该数据流消费者属于另一个 API 客户端。"
    http_status = 403


def owned(s: Session, name: str, client: str, *, create: bool = False) -> FeedConsumer | None:
    """The consumer ``name`` of ``client``, locked for update (made when ``create``); None if it does not exist;
    :class:`ConsumerTaken` if it is another client's. A consumer from before owners were kept is claimed."""
    if create:
        insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
        s.execute(insert(FeedConsumer).values(name=name, acked_cursor=0, client=client, acked_at=utcnow())
                  .on_conflict_do_nothing(index_elements=["name"]))
    row = s.get(FeedConsumer, name, with_for_update=True, populate_existing=True)
    if row is None:
        return None
    if row.client is None:
        row.client = client
    elif row.client != client:
        raise ConsumerTaken(f"consumer {name!r}")
    return row
