"""The recipient picker on 10,000 members and 100,000 contacts: right answers, from index
range scans (no table scan, no sort), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, Select

from bench.directory_data import seed
from bot.services.directory import DirectoryService, RecipientKind
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.repositories import contacts, members, workspaces

TEAM = "TBIG"


@pytest.fixture
def big(database_url: str) -> Iterator[tuple[Engine, int]]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with make_session_factory(engine).begin() as session:
        workspace_id = workspaces.ensure(session, TEAM).id
        seed(session, workspace_id, members=10_000, contacts=100_000)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    yield engine, workspace_id
    engine.dispose()


def plan(engine: Engine, statement: Select) -> str:
    sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + sql).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def test_picker_search_on_a_big_directory_uses_indexes(big: tuple[Engine, int]) -> None:
    engine, workspace_id = big
    queries = {
        "ix_members_search_key": members.prefix_query(workspace_id, "search_key", "dana", 100),
        "ix_members_handle_key": members.prefix_query(workspace_id, "handle_key", "user1", 100),
        "ix_contacts_name_key": contacts.name_prefix_query(workspace_id, "dana", 100),
        "ix_contacts_phone_key": contacts.phone_prefix_query(workspace_id, "+1415200", 100),
    }
    for index, query in queries.items():
        text = plan(engine, query)
        assert index in text, text
        assert "SCAN members" not in text and "SCAN contacts" not in text, text
        assert "Seq Scan" not in text and "TEMP B-TREE" not in text and "Sort" not in text, text
    answers_prefix_matches_first_at_most_100(engine)


def answers_prefix_matches_first_at_most_100(engine: Engine) -> None:
    directory = DirectoryService(
        session_factory=make_session_factory(engine), slack_for=lambda team: None  # type: ignore[arg-type,return-value]
    )
    found = directory.search(team_id=TEAM, query="Dana S")
    assert 0 < len(found) <= 100
    assert all(r.name.lower().startswith("dana s") for r in found)
    assert {r.kind for r in found} == {RecipientKind.MEMBER, RecipientKind.CONTACT}
    keys = [r.name.casefold() for r in found]
    assert keys == sorted(keys)
    assert len(directory.search(team_id=TEAM, query="a")) == 100
    assert [r.name for r in directory.search(team_id=TEAM, query="Émile")][:1] != []
    by_phone = directory.search(team_id=TEAM, query="415 200 00")
    assert len(by_phone) == 100 and all(r.e164.startswith("+141520000") for r in by_phone)
    exact = directory.search(team_id=TEAM, query="+1 415 200 0001")
    assert exact[0].e164 == "+14152000001" and exact[0].kind is RecipientKind.CONTACT
