"""A create whose reply was lost (a read timeout, a dropped connection, a gateway's 502/503/504) may
still land in Kinde after the client gave up on it: Kinde can carry out a request it was slow to
answer. (A 500 is Kinde's own answer: it has finished with the request, so one read settles it.)

Sending it again at once made duplicates (issue 13: a create held 8 s against a 3 s timeout left two
applications and two API keys). So a lost create is never sent again in the same run. Apply looks
for the object by natural key, at once and then with doubling pauses over a bounded time (by
default the client's read timeout: as long again as Kinde was given to answer). Found, it is adopted;
still unseen, that step stops as *ambiguous* with a message saying so, and the next run's refresh
adopts the object if it landed or creates it if it did not.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from kinde_iac.errors import ApiError, KindeIacError

#: Seconds to keep looking when the client does not say what its read timeout is.
DEFAULT_BUDGET = 30.0
#: Answers from a gateway in front of Kinde, which may have passed the request on and given up
#: waiting: like no answer at all, the create may still land.
GATEWAY_STATUSES = frozenset({502, 503, 504})


def may_land_later(err: ApiError) -> bool:
    """Whether a write that failed with ``err`` could still be carried out by Kinde after now."""
    return err.ambiguous and (err.status is None or err.status in GATEWAY_STATUSES)


class CreateNotSeen(KindeIacError):
    """A lost create that did not show up in Kinde within the budget: its outcome is still unknown."""

    #: Journaled as "ambiguous", like a lost reply: Kinde may yet have it.
    ambiguous = True


@attrs.frozen
class Settle:
    """How long, and how often, apply looks for a create whose reply was lost."""

    #: Seconds from the first check to the last.
    budget: float
    #: Checks by natural key, the first at once and each next after twice the previous pause.
    checks: int = 5
    #: Replaces the real pause (tests count the pauses instead of waiting them out).
    pause: Callable[[float], None] | None = None

    @classmethod
    def for_client(cls, client: Any) -> Settle:
        return cls(budget=float(getattr(client, "timeout", DEFAULT_BUDGET) or DEFAULT_BUDGET))

    def delays(self) -> list[float]:
        """The pauses before the second and later checks: d, 2d, 4d... adding up to the budget."""
        n = max(0, self.checks - 1)
        if n == 0:
            return []
        unit = self.budget / (2 ** n - 1)
        return [unit * 2 ** i for i in range(n)]


def look_for_lost_create(find: Callable[[], str | None], *, settle: Settle, pause: Callable[[float], bool],
                         kind: str, lost: ApiError) -> str:
    """What ``find`` returns once it sees the object (its id, or its key for kinds without ids);
    raises CreateNotSeen if it never does. ``pause(seconds)`` returns True when the run is stopping,
    which ends the search early."""
    checks = 0
    for delay in [0.0, *settle.delays()]:
        if delay and pause(delay):
            raise CreateNotSeen(_not_seen(kind, lost, "the run was interrupted while Kinde was being checked"))
        try:
            found = find()
        except KindeIacError as err:
            raise CreateNotSeen(_not_seen(kind, lost, f"checking for it failed ({err})")) from err
        checks += 1
        if found is not None:
            return found
    raise CreateNotSeen(_not_seen(kind, lost, f"Kinde did not show it in {checks} checks by natural key over "
                                              f"{settle.budget:g}s"))


def _not_seen(kind: str, lost: ApiError, why: str) -> str:
    return (f"the reply to creating this {kind} was lost ({lost.method} {lost.path}: {lost.message}) and {why}; "
            f"it was not sent again, so that no duplicate is made. The next plan adopts it if it landed, "
            f"or creates it")
