"""The member directory (internal contacts), kept from Slack's users.list."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Member
from storage.repositories._search import starts_with
from storage.repositories._upsert import get_or_create


def by_user(session: Session, workspace_id: int, user_id: str) -> Member | None:
    return session.scalar(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id == user_id)
    )


def ensure(session: Session, workspace_id: int, user_id: str) -> Member:
    member, _ = get_or_create(
        session,
        lambda: by_user(session, workspace_id, user_id),
        lambda: Member(
            workspace_id=workspace_id, slack_user_id=user_id, handle=user_id, search_key="",
            handle_key="",
        ),
    )
    return member


def any_in(session: Session, workspace_id: int) -> bool:
    return session.scalar(select(Member.id).where(Member.workspace_id == workspace_id).limit(1)) \
        is not None


def prefix_query(workspace_id: int, column: str, prefix: str, limit: int) -> Select[Member]:
    """People whose `column` (search_key or handle_key) starts with `prefix`, in key order;
    bots and deleted users are filtered on the rows the index range yields."""
    key = getattr(Member, column)
    return (
        select(Member)
        .where(
            Member.workspace_id == workspace_id,
            starts_with(key, prefix),
            Member.is_bot.is_(False),
            Member.deleted.is_(False),
        )
        .order_by(key)
        .limit(limit)
    )


def with_prefix(session: Session, workspace_id: int, prefix: str, limit: int) -> list[Member]:
    found: dict[int, Member] = {}
    for column in ("search_key", "handle_key"):
        for member in session.scalars(prefix_query(workspace_id, column, prefix, limit)):
            found.setdefault(member.id, member)
    return sorted(found.values(), key=lambda m: m.search_key)[:limit]


def by_users(session: Session, workspace_id: int, user_ids: Iterable[str]) -> dict[str, Member]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_user_id.in_(ids))
    )
    return {m.slack_user_id: m for m in rows}
