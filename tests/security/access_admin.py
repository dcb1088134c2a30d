"""The admin's rows of the access matrix: one entry per registered model, six URLs each.

Every ModelAdmin serves a changelist, add, change, history, delete and a bare
``<object_id>/`` that redirects to change. ``ADMIN_MODELS`` says, per model, which object of
workshop A the object URLs open and what kind of access the model has; ``admin_rows()``
turns that into rows. A model registered in the admin without an entry here has no rows,
and test_every_url_pattern_has_a_row fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from tests.security.access_rules import (
    ADMIN_INDEX,
    FORBIDDEN,
    OK,
    Outcome,
    Row,
    redirect,
    same_for_staff,
    staff,
)
from tests.security.access_world import World

WORKSHOP = "workshop"  # WorkshopScopedAdmin: organizers see and change their workshops' rows
SUPERUSER = "superuser"  # superusers only (accounts, auth, allauth, axes)
SERIES = "series"  # every organizer reads, superusers write


@dataclass(frozen=True)
class AdminModel:
    obj: Callable[[World], object]  # an object of workshop A (or a site-wide one)
    scope: str = WORKSHOP
    add: bool = True  # may an entitled user open the add form
    # May an entitled user open the delete page of ``obj``: YES; NEVER (refused before the
    # object is looked up, so 403 for everyone); NOT_THIS (refused for ``obj`` only).
    delete: str = "yes"


YES, NEVER, NOT_THIS = "yes", "never", "not this one"


ADMIN_MODELS: dict[str, AdminModel] = {
    "workshops_workshop": AdminModel(lambda w: w.a.workshop),
    "workshops_series": AdminModel(lambda w: w.a.series, scope=SERIES),
    "workshops_speakerprofile": AdminModel(lambda w: w.a.profile),
    "workshops_speakerappearance": AdminModel(lambda w: w.a.appearance),
    "workshops_keydate": AdminModel(lambda w: w.a.keydate),
    "workshops_topic": AdminModel(lambda w: w.a.topic),
    "workshops_teammember": AdminModel(lambda w: w.a.teammember),
    "schedule_room": AdminModel(lambda w: w.a.room),
    "schedule_scheduleitem": AdminModel(lambda w: w.a.item),
    # Releases are written by publishing from the schedule page; the admin only reads them.
    "schedule_schedulerelease": AdminModel(lambda w: w.a.release, add=False),
    # The outbox is read-only: mail is written by the services and resent by an action.
    "outbox_outgoingmail": AdminModel(lambda w: w.a.mail, add=False, delete=NEVER),
    "registration_registrationsettings": AdminModel(lambda w: w.a.settings),
    "registration_question": AdminModel(lambda w: w.a.question),
    "registration_mailtext": AdminModel(lambda w: w.a.mailtext),
    # Registrations enter through the public form; an active one is cancelled, not deleted.
    "registration_registration": AdminModel(lambda w: w.a.registration, add=False, delete=NOT_THIS),
    # Abstracts enter through the call's pages.
    "submissions_submission": AdminModel(lambda w: w.a.assigned, add=False),
    "submissions_committeemember": AdminModel(lambda w: w.a.member),
    "submissions_reviewassignment": AdminModel(lambda w: w.a.assignment),
    # Reviews are the reviewers' words: organizers read them, never write or delete.
    "submissions_review": AdminModel(lambda w: w.a.review, add=False, delete=NEVER),
    "submissions_decisionmailtext": AdminModel(lambda w: w.a.decision_text),
    "submissions_callforabstracts": AdminModel(lambda w: w.a.cfa),
    "submissions_submissiontype": AdminModel(lambda w: w.a.type),
    "accounts_user": AdminModel(lambda w: w.users["speaker"], scope=SUPERUSER),
    "auth_group": AdminModel(lambda w: w.misc.group, scope=SUPERUSER),
    "account_emailaddress": AdminModel(lambda w: w.misc.email_address, scope=SUPERUSER),
    # Axes writes its own records; even a superuser adds none by hand.
    "axes_accessattempt": AdminModel(lambda w: w.misc.attempt, scope=SUPERUSER, add=False),
    "axes_accesslog": AdminModel(lambda w: w.misc.access_log, scope=SUPERUSER, add=False),
    "axes_accessfailurelog": AdminModel(lambda w: w.misc.failure_log, scope=SUPERUSER, add=False),
}


def _granted(allowed: bool) -> Outcome:
    return OK if allowed else FORBIDDEN


def _expectations(spec: AdminModel) -> dict[str, dict[str, Outcome]]:
    """The outcome of each of the model's admin views, per role."""
    if spec.scope == WORKSHOP:
        # An organizer of another workshop finds no such object: the admin index.
        on_obj = staff(other=ADMIN_INDEX, mine=OK)
        return {
            "changelist": same_for_staff(OK),
            "add": same_for_staff(_granted(spec.add)),
            "change": on_obj,
            "history": on_obj,
            "delete": staff(
                other=FORBIDDEN if spec.delete == NEVER else ADMIN_INDEX,
                mine=_granted(spec.delete == YES),
            ),
        }
    if spec.scope == SERIES:
        return {
            "changelist": same_for_staff(OK),
            "add": staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=OK),
            "change": same_for_staff(OK),  # read-only for organizers
            "history": same_for_staff(OK),
            "delete": staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=OK),
        }
    assert spec.scope == SUPERUSER, spec.scope
    root = staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=OK)
    return {
        "changelist": root,
        "add": staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=_granted(spec.add)),
        "change": root,
        "history": root,
        "delete": staff(other=FORBIDDEN, mine=FORBIDDEN, superuser=_granted(spec.delete == YES)),
    }


def admin_rows() -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for model, spec in ADMIN_MODELS.items():
        expect = _expectations(spec)

        def on_obj(w: World, spec: AdminModel = spec) -> dict:
            return {"object_id": spec.obj(w).pk}

        change = f"admin:{model}_change"
        rows[f"admin:{model}_changelist"] = [
            Row(
                f"{model} list",
                lambda w: {},
                expect["changelist"],
                # A's object is listed for A's organizer and root, never for B's organizer.
                reveals=(lambda w, spec=spec, change=change: _change_url(change, spec, w))
                if spec.scope == WORKSHOP
                else None,
                shown_to=("organizer", "superuser"),
            )
        ]
        rows[f"admin:{model}_add"] = [Row(f"{model} add", lambda w: {}, expect["add"])]
        for view in ("change", "history", "delete"):
            rows[f"admin:{model}_{view}"] = [Row(f"{model} {view}", on_obj, expect[view])]
        app_label, model_name = model.split("_", 1)
        change = f"admin:{model}_change"
        rows[f"route:admin/{app_label}/{model_name}/<path:object_id>/"] = [
            Row(
                f"{model} bare id",
                lambda w, spec=spec, app=app_label, name=model_name: {
                    "path": f"/admin/{app}/{name}/{spec.obj(w).pk}/"
                },
                # A redirect to the change URL, for every member of staff, whatever the object.
                same_for_staff(
                    redirect(lambda w, spec=spec, change=change: _change_url(change, spec, w))
                ),
            )
        ]
    return rows


def _change_url(name: str, spec: AdminModel, w: World) -> str:
    return reverse(name, args=[spec.obj(w).pk])
