"""/housing (issue 12): what a coordinator needs instead of a spreadsheet.

The antenna's house night by night for the next four weeks against its beds, who arrives and
who leaves this week, who owes what, and what waits for a decision. Coordinators see their
own antenna only; an admin names one (or has the only one there is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.services.errors import DomainError, NotAllowed
from bot.services.housing import (
    Account,
    House,
    HousingService,
    Movements,
    NightCount,
)
from bot.storage.models import HousingReduction, Role, Stay, User

NIGHTS_SHOWN = 28
WEEK = 7


@dataclass(frozen=True)
class Overview:
    house: House
    today: date
    nights: list[NightCount]
    week: Movements
    balances: list[Account]  # the people who owe something, largest first
    waiting: list[Stay]
    reductions: list[HousingReduction]
    names: dict[int, User]


def housing_scope(housing: HousingService, actor: User, named: str | None) -> str | None:
    """The antenna shown: a coordinator's own (naming another is refused); an admin's named
    one, else their own, else the only house. None: an admin must name one."""
    code = named.strip().lower() if named else None
    if actor.has(Role.ADMIN):
        if code is not None:
            if code not in housing.houses:
                raise DomainError("unknown_antenna", antenna=named or "")
            return code
        if actor.antenna is not None and actor.antenna in housing.houses:
            return actor.antenna
        if len(housing.houses) == 1:
            return next(iter(housing.houses))
        return None
    if not actor.has(Role.COORDINATOR) or actor.antenna is None:
        raise NotAllowed
    if code is not None and code != actor.antenna:
        raise DomainError("other_antenna_admin_only")
    return actor.antenna


async def overview(housing: HousingService, antenna: str) -> Overview:
    """Everything /housing shows for the antenna (its access checked by `housing_scope`)."""
    house = housing.house(antenna)
    today = housing.today()
    nights = await housing.occupancy(antenna, today, NIGHTS_SHOWN)
    week = await housing.stays_for(antenna, today, today + timedelta(days=WEEK))
    owing = [a for a in await housing.balances(antenna) if a.balance > 0]
    waiting = await housing.waiting(antenna)
    reductions = await housing.open_reductions(antenna)
    names: dict[int, User] = {}
    wanted = {s.user_id for s in (*week.arrivals, *week.departures, *waiting)}
    wanted |= {r.user_id for r in reductions}
    for user_id in sorted(wanted):
        user = await housing.storage.users.get(user_id)
        if user is not None:
            names[user_id] = user
    return Overview(house, today, nights, week, owing, waiting, reductions, names)
