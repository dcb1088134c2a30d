"""Speaker profiles belong to their person or to their home workshop, never to whoever lists them.

Before, an organizer who added another workshop's keynote to their own workshop (an appearance,
or a speaker on one of their items) could edit that profile: its bio, homepage and the address
that workshop's schedule-change mail went to. And a submitter who named any account's address
as presenter got, on acceptance, that account's profile (or a new one tied to it, with a name
the submitter chose).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.emails import claim_url
from accounts.models import User
from accounts.services import profile_of
from outbox.models import OutgoingMail
from submissions.models import Submission
from submissions.services import confirm_participation, decide_submission, notify_authors
from tests.factories import (
    OrganizerFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.submissions.factories import CallForAbstractsFactory, SubmissionFactory
from workshops.models import SpeakerAppearance, SpeakerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def keynote():
    """Workshop A's keynote (a profile A's organizers made), and both workshops' organizers."""
    alice, bob = OrganizerFactory(), OrganizerFactory()
    a = WorkshopFactory(organizers=[alice])
    b = WorkshopFactory(organizers=[bob])
    profile = SpeakerProfileFactory(
        name="Kay Keynote", bio="The real bio.", email="kay@example.org", home_workshop=a
    )
    SpeakerAppearanceFactory(workshop=a, speaker=profile, role=SpeakerAppearance.Role.KEYNOTE)
    return {"alice": alice, "bob": bob, "a": a, "b": b, "profile": profile}


def change_url(profile) -> str:
    return reverse("admin:workshops_speakerprofile_change", args=[profile.pk])


def post_profile(client, profile, **changes):
    data = {
        "name": profile.name,
        "affiliation": profile.affiliation,
        "homepage": profile.homepage,
        "orcid": "",
        "bio": profile.bio,
        "email": profile.email,
        "home_workshop": profile.home_workshop_id or "",
        **changes,
    }
    return client.post(change_url(profile), data)


def unchanged(profile) -> bool:
    fresh = SpeakerProfile.objects.get(pk=profile.pk)
    fields = ("bio", "email", "homepage")
    return [getattr(fresh, f) for f in fields] == [getattr(profile, f) for f in fields]


@pytest.mark.parametrize("listing", ["appearance", "schedule item"])
def test_listing_another_workshops_speaker_grants_no_edit(client, keynote, listing):
    profile, bob = keynote["profile"], keynote["bob"]
    if listing == "appearance":
        SpeakerAppearanceFactory(workshop=keynote["b"], speaker=profile)
    else:
        ScheduleItemFactory(workshop=keynote["b"], speakers=[profile])
    client.force_login(bob)

    page = client.get(change_url(profile))
    assert page.status_code == 200  # Bob lists the speaker: he sees the public profile
    html = page.content.decode()
    assert "kay@example.org" not in html  # but not the private address
    assert 'name="bio"' not in html  # and nothing to edit

    response = post_profile(client, profile, bio="Defaced.", email="bob@example.org")
    assert response.status_code == 403
    assert unchanged(profile)
    delete = reverse("admin:workshops_speakerprofile_delete", args=[profile.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SpeakerProfile.objects.filter(pk=profile.pk).exists()


def test_the_home_workshops_organizer_edits_the_profile(client, keynote):
    client.force_login(keynote["alice"])
    response = post_profile(client, keynote["profile"], bio="A better bio.")
    assert response.status_code == 302
    assert SpeakerProfile.objects.get(pk=keynote["profile"].pk).bio == "A better bio."


def test_an_account_owned_profile_is_edited_by_its_person_alone(client, keynote):
    person = UserFactory(email="kay@example.org")
    profile = keynote["profile"]
    profile.user = person
    profile.save()
    client.force_login(keynote["alice"])  # even the workshop that made it
    assert client.get(change_url(profile)).status_code == 200
    assert post_profile(client, profile, bio="Changed by Alice.").status_code == 403
    assert unchanged(profile)


def test_an_organizer_cannot_give_a_profile_a_home_they_do_not_manage(client, keynote):
    client.force_login(keynote["alice"])
    response = post_profile(client, keynote["profile"], home_workshop=keynote["b"].pk)
    assert response.status_code == 200  # the form refuses the choice
    assert SpeakerProfile.objects.get(pk=keynote["profile"].pk).home_workshop == keynote["a"]


def test_a_new_profile_belongs_to_one_of_the_organizers_workshops(client, keynote):
    client.force_login(keynote["bob"])
    add = reverse("admin:workshops_speakerprofile_add")
    assert client.get(add).context["adminform"].form.fields["home_workshop"].initial == (
        keynote["b"].pk
    )
    client.post(add, {"name": "No Home", "home_workshop": ""})
    assert not SpeakerProfile.objects.filter(name="No Home").exists()
    client.post(add, {"name": "New Speaker", "home_workshop": keynote["b"].pk})
    assert SpeakerProfile.objects.get(name="New Speaker").home_workshop == keynote["b"]


def autocomplete(client, term: str) -> set[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "workshops",
            "model_name": "speakerappearance",
            "field_name": "speaker",
            "term": term,
        },
    )
    return {row["text"] for row in response.json()["results"]}


def test_the_speaker_picker_never_searches_private_addresses(client, keynote):
    client.force_login(keynote["bob"])
    assert autocomplete(client, "Kay") == {"Kay Keynote (" + keynote["profile"].affiliation + ")"}
    assert autocomplete(client, "kay@example.org") == set()
    assert autocomplete(client, "example.org") == set()


def test_the_profile_list_search_never_searches_private_addresses(client, keynote):
    SpeakerAppearanceFactory(workshop=keynote["b"], speaker=keynote["profile"])
    client.force_login(keynote["bob"])
    page = client.get(reverse("admin:workshops_speakerprofile_changelist"), {"q": "kay@"})
    assert list(page.context["cl"].queryset) == []


@pytest.fixture
def accepted_with_a_named_presenter():
    """A submission whose submitter named someone else's account as the presenter."""
    victim = UserFactory(email="victim@example.org", full_name="Vera Victim")
    workshop = WorkshopFactory()
    CallForAbstractsFactory(workshop=workshop)
    submission = SubmissionFactory(
        workshop=workshop,
        authors=[{"name": "Evil Name", "email": "VICTIM@example.org", "is_presenter": True}],
    )
    submission.authors.filter(order=0).update(is_presenter=False)
    decide_submission(submission=submission, decision=Submission.Decision.TALK)
    notify_authors(submissions=Submission.objects.filter(pk=submission.pk))
    return victim, submission


def test_naming_an_account_as_presenter_ties_no_profile_to_it(accepted_with_a_named_presenter):
    victim, submission = accepted_with_a_named_presenter
    victims_own = profile_of(victim)

    confirm_participation(submission=submission)

    speaker = submission.workshop.appearances.get().speaker
    assert speaker != victims_own
    assert (speaker.user, speaker.name, speaker.home_workshop) == (
        None,
        "Evil Name",
        submission.workshop,
    )
    assert SpeakerProfile.objects.get(user=victim) == victims_own
    claim = OutgoingMail.objects.get(key__startswith="profile-claim:")
    assert claim.to == "victim@example.org"
    assert claim_url(speaker) in claim.body_text


def test_the_submitter_presenting_is_their_own_profile():
    workshop = WorkshopFactory()
    CallForAbstractsFactory(workshop=workshop)
    submission = SubmissionFactory(workshop=workshop)
    decide_submission(submission=submission, decision=Submission.Decision.TALK)
    notify_authors(submissions=Submission.objects.filter(pk=submission.pk))
    confirm_participation(submission=submission)
    assert workshop.appearances.get().speaker == submission.submitter.speaker_profile
    assert not OutgoingMail.objects.filter(key__startswith="profile-claim:").exists()


def test_the_person_ties_the_profile_to_their_account_by_the_mailed_link(
    client, accepted_with_a_named_presenter
):
    victim, submission = accepted_with_a_named_presenter
    confirm_participation(submission=submission)
    speaker = submission.workshop.appearances.get().speaker
    link = claim_url(speaker).removeprefix("http://127.0.0.1:8000")

    assert client.get(link).status_code == 302  # to the login first
    client.force_login(victim)
    assert "Is this you?" in client.get(link).content.decode()
    assert client.post(link).status_code == 302

    speaker.refresh_from_db()
    assert speaker.user == victim
    assert client.get(link).status_code == 404  # the link opens nothing any more


def test_claiming_with_a_profile_of_ones_own_merges_into_it(
    client, accepted_with_a_named_presenter
):
    victim, submission = accepted_with_a_named_presenter
    own = profile_of(victim)
    confirm_participation(submission=submission)
    made = submission.workshop.appearances.get().speaker
    client.force_login(victim)
    client.post(claim_url(made).removeprefix("http://127.0.0.1:8000"))

    appearance = submission.workshop.appearances.get()
    assert appearance.speaker == own and appearance.confirmed
    submission.refresh_from_db()
    assert list(submission.schedule_item.speakers.all()) == [own]
    assert not SpeakerProfile.objects.filter(pk=made.pk).exists()


def test_a_claim_link_for_another_profile_or_token_is_404(client, keynote):
    other = UserFactory()
    client.force_login(other)
    url = claim_url(keynote["profile"]).removeprefix("http://127.0.0.1:8000")
    bad = url.rstrip("/").rsplit("/", 1)[0] + "/" + "0" * 40 + "/"
    assert client.get(bad).status_code == 404
    assert User.objects.filter(speaker_profile=keynote["profile"]).count() == 0
