from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services.errors import DomainError, NotAllowed
from bot.services.users import UserService
from bot.storage import Storage
from bot.storage.models import Role, User
from tests.helpers.clock import FakeClock

ADMIN = 1


@pytest.fixture
def users(storage: Storage, clock: FakeClock) -> UserService:
    return UserService(storage, clock, frozenset({ADMIN}), "calais")


async def make(users: UserService, user_id: int, role: Role, antenna: str = "calais") -> User:
    await users.touch(user_id, "fr")
    await users.storage.users.set_role(user_id, role, antenna=antenna, username=f"user{user_id}")
    found = await users.get(user_id)
    assert found is not None
    return found


async def test_admin_ids_make_admins(users: UserService) -> None:
    admin = await users.touch(ADMIN, None)
    assert admin.role is Role.ADMIN
    assert admin.antenna == "calais"


async def test_an_invite_makes_a_volunteer_once(users: UserService, clock: FakeClock) -> None:
    coordinator = await make(users, 10, Role.COORDINATOR, "grande-synthe")
    invite = await users.create_invite(coordinator)
    assert invite.antenna == "grande-synthe"
    newcomer = await users.touch(20, "ar")
    joined = await users.redeem_invite(newcomer, invite.code, "Amina", "amina")
    assert joined.user.role is Role.VOLUNTEER
    assert joined.antenna.name == "Grande-Synthe"
    assert joined.inviter is not None
    assert joined.inviter.id == coordinator.id
    stored = await users.get(20)
    assert stored is not None
    assert stored.antenna == "grande-synthe"
    other = await users.touch(21, None)
    with pytest.raises(DomainError) as caught:
        await users.redeem_invite(other, invite.code, "B", None)
    assert caught.value.code == "invite_used"
    still_public = await users.get(21)
    assert still_public is not None
    assert still_public.role is Role.PUBLIC


async def test_an_invite_expires_after_seven_days(users: UserService, clock: FakeClock) -> None:
    coordinator = await make(users, 10, Role.COORDINATOR)
    invite = await users.create_invite(coordinator)
    clock.advance(days=7)
    newcomer = await users.touch(20, None)
    with pytest.raises(DomainError) as caught:
        await users.redeem_invite(newcomer, invite.code, "A", None)
    assert caught.value.code == "invite_expired"


async def test_unknown_invite_and_volunteers_only_for_coordinators(users: UserService) -> None:
    volunteer = await make(users, 30, Role.VOLUNTEER)
    with pytest.raises(NotAllowed):
        await users.create_invite(volunteer)
    with pytest.raises(DomainError) as caught:
        await users.redeem_invite(await users.touch(31, None), "doesnotexist", "A", None)
    assert caught.value.code == "invite_unknown"


async def test_a_coordinator_invites_only_to_their_antenna(users: UserService) -> None:
    coordinator = await make(users, 10, Role.COORDINATOR, "calais")
    with pytest.raises(DomainError, match=r"^other_antenna_admin_only$"):
        await users.create_invite(coordinator, "grande-synthe")
    # A typo is said to be one, before any question of rights.
    with pytest.raises(DomainError, match=r"^unknown_antenna$"):
        await users.create_invite(coordinator, "foo")
    admin = await users.touch(ADMIN, None)
    assert (await users.create_invite(admin, "grande-synthe")).antenna == "grande-synthe"
    with pytest.raises(DomainError, match=r"^unknown_antenna$"):
        await users.create_invite(admin, "atlantis")


async def test_coordinators_manage_legal_but_not_coordinators(users: UserService) -> None:
    coordinator = await make(users, 10, Role.COORDINATOR)
    await make(users, 11, Role.VOLUNTEER)
    change = await users.promote(coordinator, "@user11", "legal")
    assert (change.before, change.after) == (Role.VOLUNTEER, Role.LEGAL)
    with pytest.raises(DomainError, match=r"^coordinators_admin_only$"):
        await users.promote(coordinator, "11", "coordinator")
    await make(users, 12, Role.COORDINATOR)
    with pytest.raises(DomainError, match=r"^coordinators_admin_only$"):
        await users.demote(coordinator, "12")
    await users.touch(ADMIN, None)
    with pytest.raises(DomainError, match=r"^admin_by_settings$"):
        await users.demote(coordinator, str(ADMIN))
    change = await users.demote(coordinator, "11")
    assert change.after is Role.VOLUNTEER


async def test_admins_manage_coordinators(users: UserService) -> None:
    admin = await users.touch(ADMIN, None)
    await make(users, 11, Role.VOLUNTEER, "grande-synthe")
    change = await users.promote(admin, "11", "coordinator")
    assert change.after is Role.COORDINATOR
    assert (await users.demote(admin, "11")).after is Role.VOLUNTEER


async def test_role_changes_refuse_bad_requests(users: UserService) -> None:
    coordinator = await make(users, 10, Role.COORDINATOR)
    await make(users, 11, Role.VOLUNTEER, "grande-synthe")
    await users.touch(12, None)
    cases = [
        ("999", "legal", "user_unknown"),
        ("11", "king", "role_unknown"),
        ("12", "legal", "not_a_volunteer"),
        ("10", "legal", "cannot_change_self"),
    ]
    for reference, role, code in cases:
        with pytest.raises(DomainError) as caught:
            await users.promote(coordinator, reference, role)
        assert caught.value.code == code
    with pytest.raises(DomainError, match=r"^other_antenna_admin_only$"):
        await users.promote(coordinator, "11", "legal")
    volunteer = await users.get(11)
    assert volunteer is not None
    assert volunteer.role is Role.VOLUNTEER


async def test_a_volunteer_cannot_promote(users: UserService) -> None:
    volunteer = await make(users, 11, Role.VOLUNTEER)
    await make(users, 12, Role.VOLUNTEER)
    with pytest.raises(NotAllowed):
        await users.promote(volunteer, "12", "legal")
    with pytest.raises(NotAllowed):
        await users.team(volunteer)


async def test_forget_erases_the_user(users: UserService) -> None:
    user = await users.touch(40, "so")
    await users.forget(user)
    assert await users.get(40) is None


async def test_a_removed_admin_id_loses_admin_rights(users: UserService) -> None:
    admin = await users.touch(ADMIN, None)
    await users.storage.users.set_role(ADMIN, Role.ADMIN)
    without = UserService(users.storage, users.clock, frozenset(), "calais")
    demoted = await without.get(ADMIN)
    assert demoted is not None
    assert demoted.role is Role.COORDINATOR
    assert replace(admin, role=Role.COORDINATOR).role == demoted.role
