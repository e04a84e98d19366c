"""The outbox: durable work items, claimed with leases, run in order within a lane."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import OutboxItem, OutboxState

_OUTBOX = OutboxItem.__table__
_ADD = insert(_OUTBOX).returning(_OUTBOX.c.id)  # type: ignore[arg-type]


def add(
    session: Session,
    *,
    workspace_id: int,
    kind: str,
    lane: str,
    message_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> int:
    """Queue an item; returns its id. A Core insert: items are written on every hot path,
    and nothing in the writing transaction reads them back as objects."""
    values: dict[str, Any] = {
        "workspace_id": workspace_id, "kind": kind, "lane": lane, "message_id": message_id,
        "not_before": now, "enqueued_at": now, "created_at": now,
    }
    if payload is not None:
        values["payload"] = payload
    return int(session.execute(_ADD, values).scalar_one())


def _earlier_pending_in_lane() -> Any:
    earlier = aliased(OutboxItem)
    return exists().where(
        earlier.lane == OutboxItem.lane,
        earlier.state == OutboxState.PENDING,
        earlier.id < OutboxItem.id,
    )


def claim(session: Session, item_id: int, *, owner: str, now: datetime, lease: float) -> bool:
    """Take the item if it is due, unleased (or its lease expired) and first in its lane."""
    result = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.state == OutboxState.PENDING,
            OutboxItem.not_before <= now,
            (OutboxItem.lease_until.is_(None)) | (OutboxItem.lease_until < now),
            ~_earlier_pending_in_lane(),
        )
        .values(
            lease_until=now + timedelta(seconds=lease),
            lease_owner=owner,
            attempts=OutboxItem.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, item_id: int, *, state: str, now: datetime, error: str | None) -> None:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .values(state=state, lease_until=None, lease_owner=None, done_at=now, last_error=error)
        .execution_options(synchronize_session=False)
    )


def postpone(session: Session, item_id: int, *, until: datetime, error: str | None) -> None:
    """Release the lease and make the item due again at `until`."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .values(not_before=until, lease_until=None, lease_owner=None, enqueued_at=until,
                last_error=error)
        .execution_options(synchronize_session=False)
    )


def next_in_lane(session: Session, lane: str) -> OutboxItem | None:
    return session.scalar(
        select(OutboxItem)
        .where(OutboxItem.lane == lane, OutboxItem.state == OutboxState.PENDING)
        .order_by(OutboxItem.id)
        .limit(1)
    )


def has_later(session: Session, item: OutboxItem) -> bool:
    """Whether a later pending item of the same kind waits in the item's lane."""
    return session.scalar(
        select(OutboxItem.id)
        .where(
            OutboxItem.lane == item.lane,
            OutboxItem.kind == item.kind,
            OutboxItem.state == OutboxState.PENDING,
            OutboxItem.id > item.id,
        )
        .limit(1)
    ) is not None


def due_lane_heads(session: Session, *, now: datetime, grace: float, limit: int) -> list[int]:
    """Items a sweep should enqueue: due, not leased, first in lane, not enqueued lately."""
    ids = list(
        session.scalars(
            select(OutboxItem.id)
            .where(
                OutboxItem.state == OutboxState.PENDING,
                OutboxItem.not_before <= now,
                (OutboxItem.lease_until.is_(None)) | (OutboxItem.lease_until < now),
                (OutboxItem.enqueued_at.is_(None))
                | (OutboxItem.enqueued_at <= now - timedelta(seconds=grace)),
                ~_earlier_pending_in_lane(),
            )
            .order_by(OutboxItem.id)
            .limit(limit)
        )
    )
    if ids:
        session.execute(
            update(OutboxItem)
            .where(and_(OutboxItem.id.in_(ids)))
            .values(enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    return ids

