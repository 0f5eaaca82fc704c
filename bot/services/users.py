"""Users, roles and invitations (SPEC §1 and §2 "Registration")."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.clock import Clock
from bot.services.errors import DomainError, NotAllowed
from bot.services.numerals import numeric
from bot.storage.interface import Store
from bot.storage.models import Antenna, Invite, Role, User

INVITE_VALIDITY = timedelta(days=7)
PROMOTABLE = (Role.VOLUNTEER, Role.LEGAL, Role.COORDINATOR)
# Roles given by /promote, in the order their buttons are offered.
GIVEN_ROLES = (Role.COORDINATOR, Role.LEGAL)
TELEGRAM_ID = re.compile(r"[0-9]{1,19}")


def name_key(text: str) -> str:
    """A name as people type it: no case, no accents, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def match_names(query: str, people: list[User]) -> list[User]:
    """The people a typed name may mean: names with words starting with its words (the whole
    name first), else names containing it. Several when it is ambiguous: a typed "Ali" offers
    "Ali" and "Ali Benali" rather than guess; none when nobody fits."""
    wanted = name_key(query)
    if not wanted:
        return []
    keyed = [(name_key(person.display_name or ""), person) for person in people]
    starting = [(key, person) for key, person in keyed if key and f" {wanted}" in f" {key}"]
    if starting:
        # sorted() is stable: the team's own order (by name) within each kind.
        return [person for key, person in sorted(starting, key=lambda pair: pair[0] != wanted)]
    return [person for key, person in keyed if key and wanted in key]


@dataclass(frozen=True)
class Registration:
    """A newcomer who joined with an invitation, the antenna, and who invited them."""

    user: User
    antenna: Antenna
    inviter: User | None


@dataclass(frozen=True)
class Responders:
    """Who hears an antenna's safety alerts: its team chat, its coordinators and every admin.

    `people` are (chat id, user) pairs; an admin of ADMIN_IDS who never wrote to the bot has
    no stored user (Telegram will refuse to deliver, and says so), but is still tried.
    """

    team_chat_id: int | None
    people: list[tuple[int, User | None]]

    @property
    def nobody(self) -> bool:
        return self.team_chat_id is None and not self.people


@dataclass(frozen=True)
class RoleChange:
    user: User
    before: Role
    after: Role


class UserService:
    """Creates users on first contact, registers volunteers, changes roles."""

    def __init__(
        self, storage: Store, clock: Clock, admin_ids: frozenset[int], default_antenna: str
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.admin_ids = admin_ids
        self.default_antenna = default_antenna

    def _effective(self, user: User) -> User:
        """Admins come from ADMIN_IDS, so removing an id there removes the rights at once."""
        if user.id in self.admin_ids:
            return replace(user, role=Role.ADMIN, antenna=user.antenna or self.default_antenna)
        if user.role is Role.ADMIN:
            return replace(user, role=Role.COORDINATOR)
        return user

    async def touch(self, user_id: int, telegram_language: str | None) -> User:
        user = await self.storage.users.touch(user_id, telegram_language, self.clock.now())
        return self._effective(user)

    async def get(self, user_id: int) -> User | None:
        user = await self.storage.users.get(user_id)
        return None if user is None else self._effective(user)

    async def set_locale(self, user: User, locale: str) -> User:
        await self.storage.users.set_locale(user.id, locale)
        return replace(user, locale=locale)

    async def set_public_antenna(self, user: User, code: str) -> User:
        """A public user's antenna, chosen or inferred; team members keep their home antenna."""
        antenna = await self.antenna(code)
        if user.has(Role.VOLUNTEER) or user.antenna == antenna.code:
            return user
        await self.storage.users.set_antenna(user.id, antenna.code)
        return replace(user, antenna=antenna.code)

    async def antennas(self) -> list[Antenna]:
        return await self.storage.antennas.all()

    async def set_profile(self, user: User, display_name: str, username: str | None) -> None:
        """Keep a volunteer's name current; public users' names are never stored (SPEC §6)."""
        if user.has(Role.VOLUNTEER) and (
            user.display_name != display_name or user.username != username
        ):
            await self.storage.users.set_profile(user.id, display_name, username)

    async def antenna_of(self, user: User) -> Antenna:
        return await self.antenna(user.antenna or self.default_antenna)

    async def antenna(self, code: str) -> Antenna:
        antenna = await self.storage.antennas.get(code)
        if antenna is None:
            raise DomainError("unknown_antenna", antenna=code)
        return antenna

    async def create_invite(self, actor: User, antenna_code: str | None = None) -> Invite:
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        own = actor.antenna or self.default_antenna
        code = antenna_code or own
        # Said before the rights: "/invite foo" is a typo, not a request for rights.
        if await self.storage.antennas.get(code) is None:
            raise DomainError("unknown_antenna", antenna=code)
        if code != own and not actor.has(Role.ADMIN):
            raise DomainError("other_antenna_admin_only")
        now = self.clock.now()
        invite = Invite(
            code=secrets.token_urlsafe(9),
            antenna=code,
            created_by=actor.id,
            created_at=now,
            expires_at=now + INVITE_VALIDITY,
            used_by=None,
            used_at=None,
        )
        await self.storage.invites.add(invite)
        return invite

    async def invite_exists(self, code: str) -> bool:
        return await self.storage.invites.get(code.strip()) is not None

    async def redeem_invite(
        self, user: User, code: str, display_name: str, username: str | None
    ) -> Registration:
        """Make the caller a volunteer of the invite's antenna; the code works once."""
        invite = await self.storage.invites.get(code.strip())
        if invite is None:
            raise DomainError("invite_unknown")
        if user.has(Role.VOLUNTEER):
            # A member who taps an invitation link again (theirs, or a colleague's): nothing
            # changes, and the link is left for whom it was meant.
            home = await self.antenna_of(user)
            raise DomainError("already_in_team", antenna=home.name)
        if invite.used_at is not None:
            raise DomainError("invite_used")
        now = self.clock.now()
        if now >= invite.expires_at:
            raise DomainError("invite_expired")
        if not await self.storage.invites.use(invite.code, user.id, now):
            raise DomainError("invite_used")
        await self.storage.users.set_role(
            user.id,
            Role.VOLUNTEER,
            antenna=invite.antenna,
            display_name=display_name,
            username=username,
        )
        volunteer = replace(
            user,
            role=Role.VOLUNTEER,
            antenna=invite.antenna,
            display_name=display_name,
            username=username,
        )
        return Registration(
            volunteer, await self.antenna(invite.antenna), await self.get(invite.created_by)
        )

    async def find(self, reference: str) -> User | None:
        """A user named by numeric id or @username."""
        reference = " ".join(numeric(reference).split())
        # Telegram ids fit in 64 bits; a longer number is nobody (and would overflow SQLite).
        if TELEGRAM_ID.fullmatch(reference) and int(reference) < 2**63:
            return await self.get(int(reference))
        if re.fullmatch(r"@?[A-Za-z0-9_]{3,32}", reference):
            user = await self.storage.users.find_by_username(reference)
            return None if user is None else self._effective(user)
        return None

    async def resolve(self, actor: User, reference: str) -> list[User]:
        """Whom a coordinator means: a Telegram id or an exact @username (anyone known, so a
        refusal can say why), else a display name among the team members within reach
        (several when the name is ambiguous). Raises when nobody fits."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        reference = " ".join(reference.split())
        # An id typed in Arabic-Indic digits, or with a direction mark, is the same id.
        handle = " ".join(numeric(reference).split())
        if handle.isdecimal() or handle.startswith("@"):
            found = await self.find(handle)
            if found is None:
                raise DomainError("user_unknown", reference=reference)
            return [found]
        matches = match_names(reference, await self.team(actor))
        if not matches:
            raise DomainError("name_unknown", reference=reference)
        return matches

    async def member(self, actor: User, user_id: int) -> User:
        """A person a button names, as the actor may see them: of the actor's antenna (any
        antenna for admins). Whatever their role now: they may have left since."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        target = await self.get(user_id)
        if target is None:
            raise DomainError("member_gone")
        own = actor.antenna or self.default_antenna
        if not actor.has(Role.ADMIN) and (target.antenna or self.default_antenna) != own:
            raise DomainError("other_antenna_admin_only")
        return target

    def can_change(self, actor: User, target: User, new_role: Role) -> bool:
        try:
            self._check_can_change(actor, target, new_role)
        except DomainError:
            return False
        return True

    def promotion_for(self, actor: User, target: User) -> Role | None:
        """The role a one-tap promotion gives: coordinator from an admin, legal from a
        coordinator (to a volunteer); None when the actor may give nothing higher."""
        role = Role.COORDINATOR if actor.has(Role.ADMIN) else Role.LEGAL
        if target.role.rank >= role.rank or not self.can_change(actor, target, role):
            return None
        return role

    def demotion_for(self, actor: User, target: User) -> Role | None:
        """The role a one-tap demotion leaves, or None when the actor may not demote."""
        if not target.has(Role.VOLUNTEER) or not self.can_change(actor, target, target.role):
            return None
        return Role.PUBLIC if target.role is Role.VOLUNTEER else Role.VOLUNTEER

    def roles_to_offer(self, actor: User, target: User) -> list[Role]:
        """The roles the actor may give this person (the role buttons); when there are none,
        raises what stands in the way."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        if not target.has(Role.VOLUNTEER):
            raise DomainError("not_a_volunteer")
        roles = [
            role
            for role in GIVEN_ROLES
            if role is not target.role and self.can_change(actor, target, role)
        ]
        if not roles:
            self._check_can_change(actor, target, target.role)
            self._check_can_change(actor, target, Role.COORDINATOR)
            raise DomainError("role_unchanged")
        return roles

    def _check_can_change(self, actor: User, target: User, new_role: Role) -> None:
        """Coordinators manage volunteers and legal; only admins manage coordinators."""
        if target.id == actor.id:
            raise DomainError("cannot_change_self")
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        if target.role is Role.ADMIN:
            raise DomainError("admin_by_settings")
        ceiling = Role.ADMIN if actor.has(Role.ADMIN) else Role.COORDINATOR
        if not ceiling.rank > max(target.role.rank, new_role.rank):
            raise DomainError("coordinators_admin_only")
        own = actor.antenna or self.default_antenna
        if not actor.has(Role.ADMIN) and (target.antenna or self.default_antenna) != own:
            raise DomainError("other_antenna_admin_only")

    async def promote(self, actor: User, reference: str, role_name: str) -> RoleChange:
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        target = await self.find(reference)
        if target is None:
            raise DomainError("user_unknown", reference=reference)
        return await self.give_role(actor, target, role_name)

    async def give_role(self, actor: User, target: User, role_name: str) -> RoleChange:
        """Give a team member a role (typed, or pressed: re-checked against the actor's rights
        each time); giving the role they already have changes nothing and says so."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        try:
            role = Role(role_name.strip().lower())
        except ValueError:
            raise DomainError("role_unknown", role=role_name) from None
        if role not in PROMOTABLE:
            raise DomainError("role_unknown", role=role_name)
        target = await self.get(target.id) or target
        if not target.has(Role.VOLUNTEER) and role is not Role.VOLUNTEER:
            raise DomainError("not_a_volunteer")
        self._check_can_change(actor, target, role)
        if target.role is role:
            raise DomainError("role_unchanged")
        antenna = target.antenna or actor.antenna or self.default_antenna
        await self.storage.users.set_role(target.id, role, antenna=antenna)
        return RoleChange(replace(target, role=role, antenna=antenna), target.role, role)

    async def demote(self, actor: User, reference: str) -> RoleChange:
        """One step down: coordinator/legal → volunteer, volunteer → public."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        target = await self.find(reference)
        if target is None:
            raise DomainError("user_unknown", reference=reference)
        return await self.take_role(actor, target)

    def check_can_take(self, actor: User, target: User, expected: Role | None = None) -> None:
        """Raise why the actor may not take a role step from this person now, if so."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        self._check_can_change(actor, target, target.role)
        if target.role is Role.PUBLIC or (expected is not None and target.role is not expected):
            raise DomainError("role_unchanged")

    async def take_role(
        self, actor: User, target: User, *, expected: Role | None = None
    ) -> RoleChange:
        """One step down for a person; with `expected` (a button), only from that role, so
        that a second tap does not take a second step."""
        target = await self.get(target.id) or target
        self.check_can_take(actor, target, expected)
        role = Role.PUBLIC if target.role is Role.VOLUNTEER else Role.VOLUNTEER
        await self.storage.users.set_role(target.id, role)
        if role is Role.PUBLIC:
            await self.storage.users.clear_profile(target.id)
        # The name is cleared from storage, but the coordinator's confirmation still says it.
        return RoleChange(replace(target, role=role), target.role, role)

    async def team(self, actor: User) -> list[User]:
        """Volunteers and above of the actor's antenna (every antenna for admins)."""
        if not actor.has(Role.COORDINATOR):
            raise NotAllowed
        antenna = None if actor.has(Role.ADMIN) else actor.antenna
        return [
            self._effective(user)
            for user in await self.storage.users.with_role_at_least(Role.VOLUNTEER, antenna)
        ]

    async def team_chat_antenna(self, chat_id: int) -> Antenna | None:
        """The antenna whose team chat this is, if any."""
        return await self.storage.antennas.by_team_chat(chat_id)

    async def move_team_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        antenna = await self.storage.antennas.by_team_chat(old_chat_id)
        if antenna is not None:
            await self.storage.antennas.set_team_chat(antenna.code, new_chat_id)

    async def coordinators_of(self, antenna: str) -> list[User]:
        """Who answers for an antenna's safety: its coordinators (and admins placed there)."""
        return [
            self._effective(user)
            for user in await self.storage.users.with_role_at_least(Role.COORDINATOR, antenna)
        ]

    async def responders(self, antenna: str, *, excluding: int | None = None) -> Responders:
        """Everyone to alert when someone of this antenna may be in danger."""
        found = await self.antenna(antenna)
        people: dict[int, User | None] = {
            user.id: user for user in await self.coordinators_of(antenna) if user.active
        }
        for admin_id in sorted(self.admin_ids):
            admin = await self.get(admin_id)
            # One who blocked the bot cannot hear it; one it never met is still tried.
            if admin_id not in people and (admin is None or admin.active):
                people[admin_id] = admin
        if excluding is not None:
            people.pop(excluding, None)
        return Responders(found.team_chat_id, list(people.items()))

    async def reachable_admins(self) -> list[User]:
        """Admins who wrote to the bot and did not block it: Telegram lets it write to them."""
        admins = [await self.get(admin_id) for admin_id in sorted(self.admin_ids)]
        return [admin for admin in admins if admin is not None and admin.active]

    async def left_uncovered_by(self, target: User) -> Antenna | None:
        """The antenna whose last reachable coordinator `target` is, if they are one: taking
        their role leaves its safety alerts to its team chat (if any) and the admins."""
        if target.role is not Role.COORDINATOR:
            return None
        antenna = target.antenna or self.default_antenna
        others = [
            user
            for user in await self.coordinators_of(antenna)
            if user.id != target.id and user.active
        ]
        return None if others else await self.antenna(antenna)

    async def uncovered_antennas(self) -> list[Antenna]:
        """Antennas with neither a team chat nor a reachable coordinator: only admins hear
        their alerts."""
        return [
            antenna
            for antenna in await self.storage.antennas.all()
            if antenna.team_chat_id is None
            and not any(user.active for user in await self.coordinators_of(antenna.code))
        ]

    async def coverage_changed(self, uncovered: list[Antenna]) -> bool:
        """Whether the antennas without team chat nor coordinator differ from last start-up."""
        signature = ",".join(antenna.code for antenna in uncovered)
        if await self.storage.meta.get("safety:uncovered") == signature:
            return False
        await self.storage.meta.set("safety:uncovered", signature)
        return True

    async def forget(self, user: User) -> None:
        """Erase everything stored about the caller (SPEC §6)."""
        await self.storage.users.delete(user.id)
        await self.storage.outbox.delete_for_chat(user.id)

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        """Record that a person blocked the bot (or came back), so bulk sends skip them."""
        if await self.storage.users.get(user_id) is not None:
            await self.storage.users.set_active(user_id, reachable)
