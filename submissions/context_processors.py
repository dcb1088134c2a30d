"""What every page's menu needs from the submissions app: whether the visitor reviews for a
committee, and how many reviews they have left. Read only when a page draws its menu."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from submissions import services


class Reviewing:
    """``left``: the reviews still to write, or None for someone on no committee."""

    def __init__(self, left: int | None) -> None:
        self.left = left

    @property
    def is_reviewer(self) -> bool:
        return self.left is not None


def reviewing(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"reviewing": SimpleLazyObject(lambda: Reviewing(services.reviews_left(user)))}
