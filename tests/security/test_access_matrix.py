"""Who gets what: every URL pattern of the site, GET by every role, against the expected answer.

The rows are keyed by URL name (by route for the few unnamed patterns) and the test walks
``get_resolver()``: a pattern without a row fails ``test_every_url_pattern_has_a_row``, so a
new view cannot ship without saying who may see it. The roles: anonymous; an attendee, who
has no account but holds the signed link of their own registration; a speaker (author of
their own submissions); a reviewer of workshop A's committee; the organizer of workshop B
(unpublished); the organizer of workshop A; a superuser. POSTs are in test_access_posts.py.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from registration.tokens import address_confirmation_token
from tests.security import access_world
from tests.security.access_admin import admin_rows
from tests.security.access_rules import (
    FORBIDDEN,
    NON_STAFF,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    Outcome,
    Row,
    everyone,
    only,
    redirect,
    roles,
    same_for_staff,
    signed_in,
    staff,
)
from tests.security.access_world import (
    ROLES,
    World,
    claim_link,
    client_of,
    confirm_link,
    invitation_link,
    manage_link,
)

# The world of access_world.py, built once for this module.
world = access_world.world
_own_private_media = access_world._own_private_media

# Patterns that need no row of their own. Keep this list short and explained.
EXCLUDED: dict[str, str] = {
    "admin:view_on_site": "shadowed by our scoped view_on_site (config/urls.py), whose rows "
    "are under its route; reverse() still builds the URL by this name",
}
SERVER = "http://testserver"  # the contenttypes shortcut redirects to an absolute URL

A, B = "A", "B"
STAFF = ("organizer_other", "organizer", "superuser")


def slug(side: str):
    return lambda w: {"slug": getattr(w, side.lower()).workshop.slug}


def public_of_a_and_b(name: str) -> list[Row]:
    """A is published: everyone; B is not: its organizer and root only, 404 for the rest."""
    return [
        Row(f"{name} [A]", slug(A), everyone()),
        Row(f"{name} [B unpublished]", slug(B), only("organizer_other", "superuser")),
    ]


def item_of(side: str):
    def kwargs(w: World) -> dict:
        ws = getattr(w, side.lower())
        return {"slug": ws.workshop.slug, "item_id": ws.item.pk}

    return kwargs


def item_rows(name: str) -> list[Row]:
    return [
        Row(f"{name} [A]", item_of(A), everyone()),
        Row(f"{name} [B unpublished]", item_of(B), only("organizer_other", "superuser")),
        Row(
            f"{name} [B's item under A's slug]",
            lambda w: {"slug": w.a.workshop.slug, "item_id": w.b.item.pk},
            everyone(NOT_FOUND),
        ),
    ]


def pk(getter):
    return lambda w: {"pk": getter(w).pk}


def own_submission_page(name: str) -> list[Row]:
    """The author's pages: the submitter only; organizers and root use the admin (404)."""
    return [
        Row(f"{name} [own]", pk(lambda w: w.a.own), signed_in(NOT_FOUND, speaker=OK)),
        Row(f"{name} [another's]", pk(lambda w: w.a.assigned), signed_in(NOT_FOUND)),
    ]


def review_rows(name: str) -> list[Row]:
    return [
        Row(
            f"{name} [assigned]",
            pk(lambda w: w.a.assignment),
            signed_in(NOT_FOUND, reviewer=OK),
        ),
        Row(
            f"{name} [conflicted]",
            pk(lambda w: w.a.conflicted_assignment),
            signed_in(NOT_FOUND),
        ),
        Row(
            f"{name} [another reviewer's]",
            pk(lambda w: w.a.others_assignment),
            signed_in(NOT_FOUND),
        ),
        Row(f"{name} [workshop B]", pk(lambda w: w.b.assignment), signed_in(NOT_FOUND)),
    ]


def shortcut(getter):
    def kwargs(w: World) -> dict:
        obj = getter(w)
        ids = {"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}
        return {"path": reverse("admin:view_on_site", kwargs=ids)}

    return kwargs


def on_site(getter):
    return lambda w: SERVER + getter(w).get_absolute_url()


def app_rows() -> list[Row]:
    ours = ("workshops", "schedule", "outbox", "registration", "submissions")
    return [
        Row(
            f"admin:app_list [{label}]",
            lambda w, label=label: {"app_label": label},
            same_for_staff(OK)
            if label in ours
            else staff(other=NOT_FOUND, mine=NOT_FOUND, superuser=OK),
        )
        for label in sorted(
            {m._meta.app_label for m in apps.get_models() if admin.site.is_registered(m)}
        )
    ]


SIGNED_IN_AWAY = redirect("/welcome/")  # allauth sends the signed-in to LOGIN_REDIRECT_URL

ROWS: dict[str, list[Row]] = {
    # Public pages and the schedule ----------------------------------------------------------
    "workshops:home": [Row("home", lambda w: {}, everyone())],
    "workshops:series": [Row("series", lambda w: {"slug": w.a.series.slug}, everyone())],
    "workshops:detail": public_of_a_and_b("detail"),
    "schedule:preview": [
        Row("preview [A]", slug(A), only("organizer", "superuser")),
        Row("preview [B unpublished]", slug(B), only("organizer_other", "superuser")),
    ],
    **{
        f"schedule:{name}": public_of_a_and_b(name)
        for name in (
            "speakers",
            "schedule",
            "schedule_changes",
            "schedule_ics",
            "schedule_xml",
            "schedule_json",
            "schedule_csv",
        )
    },
    "schedule:schedule_item": item_rows("schedule_item"),
    "schedule:schedule_item_ics": item_rows("schedule_item_ics"),
    # Registration ---------------------------------------------------------------------------
    "registration:register": public_of_a_and_b("register"),
    "registration:thanks": public_of_a_and_b("thanks"),
    "registration:participants": public_of_a_and_b("participants"),
    "registration:checkin": [
        Row("checkin [A]", slug(A), only("organizer", "superuser")),
        Row("checkin [B]", slug(B), only("organizer_other", "superuser")),
    ],
    # The confirmation link of the mail that asks to confirm an address; for a registration
    # whose address needs no confirmation, on to its self-service page.
    "registration:confirm_address": [
        Row(
            "confirm address [own link]",
            lambda w: {
                "pk": w.a.registration.pk,
                "token": address_confirmation_token.make_token(w.a.registration),
            },
            everyone(redirect(lambda w: w.a.registration.get_absolute_url())),
        ),
        Row(
            "confirm address [the self-service token]",
            lambda w: manage_link(w.a.registration),
            everyone(NOT_FOUND),
        ),
    ],
    "registration:manage": [
        # A bearer link: whoever holds it manages that registration; the session plays no part.
        Row("manage [own link]", lambda w: manage_link(w.a.registration), everyone()),
        Row(
            "manage [another registration, own token]",
            lambda w: {**manage_link(w.a.registration), "pk": w.a.other_registration.pk},
            everyone(NOT_FOUND),
        ),
        Row(
            "manage [workshop B's registration, own token]",
            lambda w: {**manage_link(w.a.registration), "pk": w.b.registration.pk},
            everyone(NOT_FOUND),
        ),
        Row(
            "manage [forged token]",
            lambda w: {"pk": w.a.registration.pk, "token": "0" * 40},
            everyone(NOT_FOUND),
        ),
    ],
    # Call for abstracts: the authors' pages ---------------------------------------------------
    "submissions:mine": [Row("mine", lambda w: {}, signed_in())],
    # Where a login lands: the reviews for a reviewer with reviews left (this world's reviewer
    # has written theirs: tests/submissions/test_reviewer_way.py), else My submissions.
    "submissions:after_login": [
        Row("after login", lambda w: {}, signed_in(redirect("/submissions/")))
    ],
    "submissions:new": [
        Row("new [A]", slug(A), signed_in()),
        Row("new [B unpublished]", slug(B), signed_in(NOT_FOUND, organizer_other=OK, superuser=OK)),
    ],
    "submissions:detail": own_submission_page("detail"),
    "submissions:edit": own_submission_page("edit"),
    "submissions:withdraw": own_submission_page("withdraw"),
    "submissions:pdf": [
        # The submitter, and the organizers of its workshop (the admin links here).
        Row(
            "pdf [own]",
            pk(lambda w: w.a.own),
            signed_in(NOT_FOUND, speaker=OK, organizer=OK, superuser=OK),
        ),
        Row(
            "pdf [reviewed by the reviewer]",
            pk(lambda w: w.a.assigned),
            signed_in(NOT_FOUND, organizer=OK, superuser=OK),
        ),
    ],
    "submissions:confirm": [
        # The decision mail's bearer link, as registration:manage.
        Row("confirm [own link]", lambda w: confirm_link(w.a.accepted), everyone()),
        Row(
            "confirm [another submission, same token]",
            lambda w: {**confirm_link(w.a.accepted), "pk": w.a.own.pk},
            everyone(NOT_FOUND),
        ),
        Row("confirm [not notified yet]", lambda w: confirm_link(w.a.own), everyone(NOT_FOUND)),
    ],
    # Review -----------------------------------------------------------------------------------
    "reviews:list": [Row("reviews", lambda w: {}, signed_in())],
    "reviews:detail": review_rows("review"),
    "reviews:pdf": review_rows("review pdf"),
    # A seat's invitation: the reviewer has a password, so the link leads to their reviews
    # (to the login first for anyone else); a forged token tells nothing.
    "reviews:invitation": [
        Row(
            "invitation [seat with a password]",
            lambda w: invitation_link(w.a.assignment.reviewer),
            roles(
                redirect("/accounts/login/?next=/reviews/"),
                reviewer=redirect("/reviews/"),
            ),
        ),
        Row(
            "invitation [forged token]",
            lambda w: {"pk": w.a.assignment.reviewer.pk, "token": "0" * 40},
            everyone(NOT_FOUND),
        ),
    ],
    # Accounts -----------------------------------------------------------------------------------
    "accounts:profile": [Row("profile", lambda w: {}, signed_in())],
    # Whoever holds the link mailed to the profile's address, once signed in; never without it.
    "accounts:claim_profile": [
        Row("claim a speaker profile", lambda w: claim_link(w.a.profile), signed_in()),
        Row(
            "claim a speaker profile [bad token]",
            lambda w: {"pk": w.a.profile.pk, "token": "0" * 40},
            signed_in(NOT_FOUND),
        ),
    ],
    "account_login": [
        Row("login", lambda w: {}, signed_in(SIGNED_IN_AWAY, anonymous=OK, attendee=OK))
    ],
    "account_signup": [
        Row("signup", lambda w: {}, signed_in(SIGNED_IN_AWAY, anonymous=OK, attendee=OK))
    ],
    "account_logout": [
        Row("logout", lambda w: {}, signed_in(OK, anonymous=redirect("/"), attendee=redirect("/")))
    ],
    "account_inactive": [Row("inactive", lambda w: {}, everyone())],
    "account_reauthenticate": [Row("reauthenticate", lambda w: {}, signed_in())],
    # Reauthentication by a mailed code is switched off (ACCOUNT_REAUTHENTICATION_METHODS):
    # refused to everyone signed in, the login page for the rest.
    "account_request_reauthentication_code": [
        Row("reauthenticate by code", lambda w: {}, signed_in(FORBIDDEN))
    ],
    "account_confirm_reauthentication_code": [
        Row("confirm reauthentication code", lambda w: {}, signed_in(FORBIDDEN))
    ],
    "account_email": [Row("email", lambda w: {}, signed_in())],
    "account_email_verification_sent": [Row("verification sent", lambda w: {}, everyone())],
    "account_change_password": [Row("change password", lambda w: {}, signed_in())],
    "account_set_password": [
        Row("set password", lambda w: {}, signed_in(redirect("/accounts/password/change/")))
    ],
    "account_reset_password": [Row("reset password", lambda w: {}, everyone())],
    "account_reset_password_done": [Row("reset done", lambda w: {}, everyone())],
    "account_reset_password_from_key": [
        Row("reset from key [bad key]", lambda w: {"uidb36": "1", "key": "x-y"}, everyone())
    ],
    "account_reset_password_from_key_done": [Row("reset from key done", lambda w: {}, everyone())],
    "account_confirm_email": [
        Row("confirm email [bad key]", lambda w: {"key": "nope"}, everyone())
    ],
    "account_confirm_login_code": [
        Row(
            "login code",
            lambda w: {},
            signed_in(
                SIGNED_IN_AWAY,
                anonymous=redirect("/accounts/login/"),
                attendee=redirect("/accounts/login/"),
            ),
        )
    ],
    # Speaker photos (public uploads) ------------------------------------------------------------
    "route:^media/(?P<path>speakers/.*)$": [
        Row("speaker photo", lambda w: {"path": f"/media/{w.a.profile.photo.name}"}, everyone()),
        Row("not a photo", lambda w: {"path": "/media/speakers/x.html"}, everyone(NOT_FOUND)),
    ],
    # The admin site's own views -------------------------------------------------------------------
    "admin:index": [Row("admin index", lambda w: {}, same_for_staff(OK))],
    "admin:login": [
        # Staff are signed in already: on to the index. The others see the form.
        Row("admin login", lambda w: {}, roles(OK, **dict.fromkeys(STAFF, redirect("/admin/"))))
    ],
    "admin:logout": [
        # POST only; the admin sends non-staff to its index (and so to its login) first.
        Row(
            "admin logout",
            lambda w: {},
            staff(other=NOT_ALLOWED, mine=NOT_ALLOWED)
            | dict.fromkeys(NON_STAFF, redirect("/admin/")),
        )
    ],
    "admin:password_change": [Row("admin password", lambda w: {}, same_for_staff(OK))],
    "admin:password_change_done": [Row("admin password done", lambda w: {}, same_for_staff(OK))],
    "admin:jsi18n": [Row("admin jsi18n", lambda w: {}, same_for_staff(OK))],
    "admin:autocomplete": [
        Row(
            "autocomplete [speakers of a schedule item]",
            lambda w: {},
            same_for_staff(OK),
            query="app_label=schedule&model_name=scheduleitem&field_name=speakers&term=",
        ),
        Row("autocomplete [no field]", lambda w: {}, same_for_staff(FORBIDDEN)),
    ],
    "route:admin/r/<path:content_type_id>/<path:object_id>/": [
        # "View on site" (config/admin_shortcut.py): for objects one's admin shows. A
        # registration's site is its secret manage link: its organizers only.
        Row(
            "view on site [A's registration]",
            shortcut(lambda w: w.a.registration),
            staff(
                other=NOT_FOUND,
                mine=redirect(lambda w: SERVER + w.a.registration.get_absolute_url()),
            ),
        ),
        Row(
            "view on site [B's unpublished workshop]",
            shortcut(lambda w: w.b.workshop),
            staff(
                other=redirect(on_site(lambda w: w.b.workshop)),
                mine=NOT_FOUND,
                superuser=redirect(on_site(lambda w: w.b.workshop)),
            ),
        ),
    ],
    "admin:app_list": app_rows(),
    "route:admin/(?P<url>.*)$": [
        Row(
            "admin catch-all [slash appended]",
            lambda w: {"path": "/admin/workshops/workshop"},
            same_for_staff(Outcome(301, "/admin/workshops/workshop/")),
        ),
        Row(
            "admin catch-all [nothing]",
            lambda w: {"path": "/admin/nothing/"},
            same_for_staff(NOT_FOUND),
        ),
    ],
    "admin:workshops_workshop_schedule": [
        Row(
            "admin schedule [A]",
            lambda w: {"object_id": w.a.workshop.pk},
            staff(other=NOT_FOUND, mine=OK),
        ),
        Row(
            "admin schedule [B]",
            lambda w: {"object_id": w.b.workshop.pk},
            staff(other=OK, mine=NOT_FOUND, superuser=OK),
        ),
    ],
    "admin:workshops_workshop_schedule_grid": [
        Row(
            "admin schedule grid [A]",
            lambda w: {"object_id": w.a.workshop.pk},
            staff(other=NOT_FOUND, mine=OK),
        ),
        Row(
            "admin schedule grid [B]",
            lambda w: {"object_id": w.b.workshop.pk},
            staff(other=OK, mine=NOT_FOUND, superuser=OK),
        ),
    ],
    "admin:workshops_workshop_schedule_import": [
        Row(
            "admin schedule import [A]",
            lambda w: {"object_id": w.a.workshop.pk},
            staff(other=NOT_FOUND, mine=OK),
        ),
        Row(
            "admin schedule import [B]",
            lambda w: {"object_id": w.b.workshop.pk},
            staff(other=OK, mine=NOT_FOUND, superuser=OK),
        ),
    ],
    "admin:auth_user_password_change": [
        Row(
            "admin set a user's password",
            lambda w: {"id": w.users["speaker"].pk},
            staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=OK),
        )
    ],
    **admin_rows(),
}


def join_route(prefix: str, route: str) -> str:
    """Join routes as ResolverMatch.route does (an inner regex loses its "^")."""
    return prefix + (route[1:] if prefix and route.startswith("^") else route)


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Yield ``(key, route)`` for every pattern: its full name, or ``route:<route>`` unnamed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield f"route:{route}", route


def test_every_url_pattern_has_a_row():
    keys = {key for key, _ in url_patterns()} - set(EXCLUDED)
    missing = sorted(keys - set(ROWS))
    assert not missing, f"URL patterns without a row in the access matrix: {missing}"
    stale = sorted(set(ROWS) - keys)
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


CASES = [
    pytest.param(key, row, role, id=f"{row.label}-{role}")
    for key, rows in ROWS.items()
    for row in rows
    for role in ROLES
]


ROUTES = dict(url_patterns())


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "row", "role"), CASES)
def test_access(world: World, key: str, row: Row, role: str):
    url = row.url("" if key.startswith("route:") else key, world)
    served_by = resolve(url.split("?")[0]).route
    assert served_by == ROUTES[key], f"{url} is served by {served_by}, not by {key}"
    response = client_of(role, world).get(url)
    row.expect[role].check(response, url, world)
    if row.reveals and response.status_code == 200:
        listed = row.reveals(world) in response.content.decode()
        assert listed == (role in row.shown_to), f"{url}: {row.reveals(world)} listed: {listed}"
