"""Finding a team member by the name a coordinator types (issue 9, point 6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.errors import DomainError, NotAllowed
from bot.services.users import UserService, match_names, name_key
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def person(user_id: int, name: str | None) -> User:
    return User(
        id=user_id,
        locale=None,
        telegram_language=None,
        role=Role.VOLUNTEER,
        antenna="calais",
        display_name=name,
        username=None,
        active=True,
        created_at=NOW,
        last_seen_at=NOW,
        menu_signature=None,
    )


TEAM = [
    person(1, "Ali Benali"),
    person(2, "Alia Dupont"),
    person(3, "Élodie MARTIN"),
    person(4, "Jean-Pierre Ørsted"),
    person(5, "أحمد علي"),
    person(6, "Ali"),
    person(7, None),  # a member whose name is unknown never matches
    person(8, "Mehdi  <b>bold</b>"),
]


def ids(found: list[User]) -> list[int]:
    return [user.id for user in found]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Élodie MARTIN", "elodie martin"),
        ("  jean-pierre   ørsted ", "jean pierre ørsted"),
        ("ÇA", "ca"),
        ("<b>x</b>", "b x b"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_name_key_ignores_case_accents_and_punctuation(text: str, key: str) -> None:
    assert name_key(text) == key


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ali", [6, 1, 2]),  # the whole name first, then the names starting so: never a guess
        ("ALI benali", [1]),
        ("alí benali", [1]),
        ("elodie", [3]),  # the start of a word, without the accent
        ("MARTIN", [3]),
        ("lodie", [3]),  # any part, when no word starts with it
        ("pierre", [4]),
        ("jean pierre", [4]),
        ("orsted", []),  # ø is a letter of its own, not an o with an accent
        ("علي", [5]),
        ("ben", [1]),
        ("al", [1, 2, 6]),  # every name with a word starting so, in the team's order
        ("bold", [8]),
        ("zorro", []),
        ("", []),
        ("   ", []),
        ("*", []),
    ],
)
def test_match_names(query: str, expected: list[int]) -> None:
    assert ids(match_names(query, TEAM)) == expected


def test_a_huge_query_matches_nobody_quickly() -> None:
    assert match_names("x" * 100_000, TEAM) == []


@pytest.fixture
def users(storage: Storage, clock: FakeClock) -> UserService:
    return UserService(storage, clock, frozenset({99}), "calais")


async def make(
    users: UserService, user_id: int, name: str, role: Role, antenna: str = "calais"
) -> User:
    await users.touch(user_id, "fr")
    await users.storage.users.set_role(
        user_id, role, antenna=antenna, display_name=name, username=f"user{user_id}"
    )
    found = await users.get(user_id)
    assert found is not None
    return found


async def test_resolve_stays_within_the_coordinators_antenna(users: UserService) -> None:
    coordinator = await make(users, 10, "Claire", Role.COORDINATOR)
    await make(users, 11, "Ali Calais", Role.VOLUNTEER)
    await make(users, 12, "Ali Synthe", Role.VOLUNTEER, "grande-synthe")
    await users.touch(13, "fr")  # a public person: never found by name
    assert ids(await users.resolve(coordinator, "ali")) == [11]
    with pytest.raises(DomainError) as refused:
        await users.resolve(coordinator, "synthe")
    assert refused.value.code == "name_unknown"
    admin = await users.touch(99, "fr")
    assert sorted(ids(await users.resolve(admin, "ali"))) == [11, 12]
    # An exact @username or id finds anyone known, so that a refusal can say why.
    assert ids(await users.resolve(coordinator, "@USER12")) == [12]
    assert ids(await users.resolve(coordinator, "13")) == [13]
    with pytest.raises(DomainError) as refused:
        await users.resolve(coordinator, "@nobody")
    assert refused.value.code == "user_unknown"
    volunteer = await users.get(11)
    assert volunteer is not None
    with pytest.raises(NotAllowed):
        await users.resolve(volunteer, "ali")


async def test_a_button_demotes_one_step_only(users: UserService) -> None:
    coordinator = await make(users, 10, "Claire", Role.COORDINATOR)
    legal = await make(users, 11, "Lea", Role.LEGAL)
    change = await users.take_role(coordinator, legal, expected=Role.LEGAL)
    assert change.after is Role.VOLUNTEER
    with pytest.raises(DomainError) as again:
        await users.take_role(coordinator, legal, expected=Role.LEGAL)
    assert again.value.code == "role_unchanged"
    assert (await users.get(11) or legal).role is Role.VOLUNTEER


async def test_one_tap_promotions_follow_the_rules(users: UserService) -> None:
    coordinator = await make(users, 10, "Claire", Role.COORDINATOR)
    volunteer = await make(users, 11, "Vera", Role.VOLUNTEER)
    legal = await make(users, 12, "Lea", Role.LEGAL)
    other = await make(users, 13, "Otto", Role.VOLUNTEER, "grande-synthe")
    admin = await users.touch(99, "fr")
    assert users.promotion_for(coordinator, volunteer) is Role.LEGAL
    assert users.promotion_for(coordinator, legal) is None
    assert users.promotion_for(coordinator, other) is None
    assert users.promotion_for(coordinator, coordinator) is None
    assert users.promotion_for(admin, legal) is Role.COORDINATOR
    assert users.demotion_for(coordinator, legal) is Role.VOLUNTEER
    assert users.demotion_for(coordinator, volunteer) is Role.PUBLIC
    assert users.demotion_for(coordinator, other) is None
    assert users.demotion_for(admin, coordinator) is Role.VOLUNTEER
    assert users.roles_to_offer(coordinator, volunteer) == [Role.LEGAL]
    assert users.roles_to_offer(admin, volunteer) == [Role.COORDINATOR, Role.LEGAL]
    with pytest.raises(DomainError) as refused:
        users.roles_to_offer(coordinator, legal)
    assert refused.value.code == "coordinators_admin_only"
