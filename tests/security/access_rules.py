"""The vocabulary of the access matrix: outcomes, rows, and the usual shapes of a row.

An outcome is what one role must get from one GET: a status, and for a redirect where it
must lead. A row names one URL pattern, builds its kwargs from the fixture world and says
the outcome for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.security.access_world import ROLES, World

NON_STAFF = ("anonymous", "attendee", "speaker", "reviewer")


@dataclass(frozen=True)
class Outcome:
    """A status; for a redirect, ``to`` is a path, a callable ``(world) -> path``, or one of
    the sentinels "login" / "admin_login" (the login page with ``next`` = the URL asked)."""

    status: int
    to: str | Callable[[World], str] | None = None

    def check(self, response, url: str, world: World) -> None:
        got = (response.status_code, response.get("Location"))
        assert response.status_code == self.status, f"{url}: expected {self.status}, got {got}"
        if self.to is None:
            return
        location = urlsplit(response["Location"])
        if self.to in ("login", "admin_login"):
            login = reverse("account_login" if self.to == "login" else "admin:login")
            assert location.path == login, f"{url}: redirected to {got[1]}"
            assert parse_qs(location.query).get("next") == [url], f"{url}: {got[1]}"
            return
        expected = self.to(world) if callable(self.to) else self.to
        assert response["Location"] == expected, f"{url}: redirected to {got[1]}"

    def __str__(self) -> str:
        return str(self.status) if self.to is None else f"{self.status}->{self.to}"


OK = Outcome(200)
NOT_FOUND = Outcome(404)
FORBIDDEN = Outcome(403)
NOT_ALLOWED = Outcome(405)
LOGIN = Outcome(302, "login")
ADMIN_LOGIN = Outcome(302, "admin_login")
# Django's admin answers an object outside the user's queryset as it answers a missing one:
# back to the admin index with "does not exist", so it tells nothing about other workshops.
ADMIN_INDEX = Outcome(302, "/admin/")


def redirect(to: str | Callable[[World], str]) -> Outcome:
    return Outcome(302, to)


@dataclass
class Row:
    """One URL pattern with kwargs from the world and the expected outcome for every role."""

    label: str
    kwargs: Callable[[World], dict]
    expect: dict[str, Outcome]
    query: str = ""
    # Object-level check of a list page: this text (an object's admin URL) must appear for
    # the roles in ``shown_to`` and must not for the other roles that get a 200.
    reveals: Callable[[World], str] | None = None
    shown_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert set(self.expect) == set(ROLES), f"{self.label}: a row names every role"

    def url(self, name: str, world: World) -> str:
        path = reverse(name, kwargs=self.kwargs(world)) if name else self.kwargs(world)["path"]
        return f"{path}?{self.query}" if self.query else path


def roles(default: Outcome, **overrides: Outcome) -> dict[str, Outcome]:
    """``default`` for every role but the ones named."""
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


def everyone(outcome: Outcome = OK) -> dict[str, Outcome]:
    return roles(outcome)


def signed_in(outcome: Outcome = OK, **overrides: Outcome) -> dict[str, Outcome]:
    """A page behind ``login_required``: the people without an account go to the login."""
    return roles(outcome, **{"anonymous": LOGIN, "attendee": LOGIN, **overrides})


def only(*allowed: str, denied: Outcome = NOT_FOUND, **overrides: Outcome) -> dict[str, Outcome]:
    """``allowed`` get 200, everyone else ``denied`` (unless overridden)."""
    return roles(denied, **{role: OK for role in allowed}, **overrides)


def staff(*, other: Outcome, mine: Outcome, superuser: Outcome | None = None) -> dict:
    """An admin page: non-staff go to the admin login; the organizers and root as given."""
    return roles(
        ADMIN_LOGIN,
        organizer_other=other,
        organizer=mine,
        superuser=mine if superuser is None else superuser,
    )


def same_for_staff(outcome: Outcome) -> dict[str, Outcome]:
    return staff(other=outcome, mine=outcome)
