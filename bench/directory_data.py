"""A big, realistic directory for the picker: members and contacts with varied names."""

from __future__ import annotations

import random

from sqlalchemy import insert
from sqlalchemy.orm import Session

from storage.models import Contact, Member
from storage.repositories._search import search_key

FIRST = ["ann", "bob", "carla", "dana", "eli", "fatima", "george", "hana", "ivan", "jo",
         "kemal", "lena", "marco", "nina", "omar", "paula", "quinn", "rosa", "sven", "tariq",
         "uma", "victor", "wen", "xavier", "yara", "zoe", "émile", "øyvind", "łukasz", "søren"]
LAST = ["smith", "garcia", "nguyen", "müller", "rossi", "kowalski", "tanaka", "okafor",
        "johansson", "dubois", "silva", "khan", "cohen", "ivanova", "murphy", "schmidt"]


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()} {rng.randrange(10_000)}"


def seed(session: Session, workspace_id: int, *, members: int, contacts: int,
         seed_value: int = 4) -> None:
    """Bulk-insert `members` people and `contacts` contacts into one workspace."""
    rng = random.Random(seed_value)
    member_rows = []
    for i in range(members):
        real = name(rng)
        handle = f"user{i}"
        member_rows.append({
            "workspace_id": workspace_id, "slack_user_id": f"UB{i:08d}", "handle": handle,
            "real_name": real, "display_name": None, "search_key": search_key(real),
            "handle_key": handle, "is_bot": i % 500 == 0, "deleted": i % 97 == 0,
        })
    for start in range(0, len(member_rows), 5000):
        session.execute(insert(Member), member_rows[start:start + 5000])
    contact_rows = []
    for i in range(contacts):
        contact_name = name(rng) if i % 4 else None  # a quarter known only by number
        e164 = f"+1415{2000000 + i:07d}"
        contact_rows.append({
            "workspace_id": workspace_id, "e164": e164, "phone_key": e164, "name": contact_name,
            "name_key": search_key(contact_name),
        })
    for start in range(0, len(contact_rows), 5000):
        session.execute(insert(Contact), contact_rows[start:start + 5000])
