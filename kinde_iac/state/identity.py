"""Which Kinde business, domain and environment a state belongs to (recorded at first write), and
the comparison every command makes with where its credentials lead before it trusts the state.

Kinde ids mean something only in the environment that issued them. A state used with credentials of
another business (or environment) would plan every object as "deleted outside kinde-iac", create
them again there and could delete that business's own flags; so a mismatch stops the run.

``business`` is ``GET /api/v1/business`` ``business.code`` (the spec: "the unique ID for the
business"); ``domain`` is ``GET /api/v1/environment`` ``environment.kinde_domain`` and
``environment`` its ``code``. Kinde domains belong to one business, so while the recorded domain
matches, the business is not asked again: the check costs no request on an established state.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from kinde_iac.errors import StateError

#: Meta keys, in the order messages name them.
KEYS = ("business", "domain", "environment")


@attrs.frozen
class StateIdentity:
    """Where a state's Kinde ids come from; ``None`` where it is not known (yet)."""

    business: str | None = None
    domain: str | None = None
    environment: str | None = None

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> StateIdentity:
        return cls(**{k: meta.get(k) or None for k in KEYS})

    def as_meta(self) -> dict[str, str]:
        return {k: v for k, v in attrs.asdict(self).items() if v}

    def missing_from(self, recorded: StateIdentity) -> dict[str, str]:
        """What this identity knows that ``recorded`` does not: the keys to record."""
        mine = self.as_meta()
        return {k: v for k, v in mine.items() if getattr(recorded, k) is None}

    def describe(self) -> str:
        business = self.business or "(not recorded)"
        return f"business {business} (domain {self.domain or '?'}, environment {self.environment or '?'})"


def differences(recorded: StateIdentity, live: StateIdentity) -> list[str]:
    """The keys both sides know and disagree on."""
    return [k for k in KEYS
            if getattr(recorded, k) is not None and getattr(live, k) is not None
            and getattr(recorded, k) != getattr(live, k)]


def needs_business(recorded: StateIdentity | None, live: StateIdentity) -> bool:
    """Whether the business must be asked: a born state that lacks it, or whose domain or
    environment differ (then both businesses are named in the refusal)."""
    if recorded is None:
        return False  # nothing recorded, nothing to compare; the first write records it
    return recorded.business is None or bool(differences(recorded, live))


def mismatch_error(where: str, recorded: StateIdentity, live: StateIdentity) -> StateError:
    keys = ", ".join(differences(recorded, live))
    return StateError(
        f"state {where} belongs to Kinde {recorded.describe()}, but the credentials reach "
        f"{live.describe()} ({keys} differ); refusing to continue: check KINDE_DOMAIN, "
        f"the credentials and the state location"
    )


def check(where: str, recorded: StateIdentity | None, live: StateIdentity,
          business: Callable[[], str | None]) -> StateIdentity:
    """Compare the state's recorded identity with the live one; raise on a mismatch.

    ``business`` asks Kinde for the business code, only when :func:`needs_business` says so.
    Returns the live identity as far as it is known (to record what the state lacks).
    """
    if needs_business(recorded, live):
        live = attrs.evolve(live, business=business())
    if recorded is not None and differences(recorded, live):
        raise mismatch_error(where, recorded, live)
    if recorded is not None and recorded.business is not None:
        # The domain matched, so it is the recorded business.
        live = attrs.evolve(live, business=recorded.business)
    return live
