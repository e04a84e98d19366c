from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


class HealthService:
    def __init__(self, *, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def database_ok(self) -> bool:
        try:
            with self.session_factory() as session:
                session.execute(text("SELECT 1"))
        except OperationalError:
            return False
        return True
