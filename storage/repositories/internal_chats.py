"""Internal chats sent through the app (listed in App Home as 💬)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import InternalChat


def recent_for(session: Session, workspace_id: int, user_id: str, limit: int) -> list[InternalChat]:
    """Chats the member sent or received, newest first (two index range scans)."""
    found: list[InternalChat] = []
    for column in (InternalChat.sender_user_id, InternalChat.recipient_user_id):
        found += session.scalars(
            select(InternalChat)
            .where(InternalChat.workspace_id == workspace_id, column == user_id)
            .order_by(InternalChat.created_at.desc())
            .limit(limit)
        )
    unique = {chat.id: chat for chat in found}
    return sorted(unique.values(), key=lambda c: (c.created_at, c.id), reverse=True)[:limit]
