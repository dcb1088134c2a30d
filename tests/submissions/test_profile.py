"""The speaker's own profile: ORCID iD checked by format and checksum, photos by content."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import UserFactory
from workshops.models import SpeakerProfile

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def speaker(client):
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    client.force_login(user)
    return user


def image_bytes(kind: str = "PNG", size=(40, 30), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind, **options)
    return buffer.getvalue()


def post(client, **changes):
    data = {
        "name": "Ada Lovelace",
        "affiliation": "Analytical Engines Ltd",
        "homepage": "https://ada.example.org/",
        "orcid": "",
        "bio": "Writes *programs*.",
    }
    data.update(changes)
    return client.post(URL, data)


def test_profile_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_first_visit_creates_the_profile_from_the_account(client, speaker):
    response = client.get(URL)
    assert response.status_code == 200
    profile = SpeakerProfile.objects.get(user=speaker)
    assert (profile.name, profile.email, profile.created_by) == (
        "Ada Lovelace",
        "ada@example.org",
        speaker,
    )
    client.get(URL)
    assert SpeakerProfile.objects.filter(user=speaker).count() == 1


def test_valid_orcid_is_saved_and_the_account_name_follows(client, speaker):
    response = post(client, orcid="https://orcid.org/0000-0002-1825-0097", name="Ada King")
    assert response.status_code == 302
    profile = SpeakerProfile.objects.get(user=speaker)
    assert profile.orcid == "0000-0002-1825-0097"
    assert profile.affiliation == "Analytical Engines Ltd"
    speaker.refresh_from_db()
    assert speaker.full_name == "Ada King"


def test_orcid_with_x_check_digit_is_valid(client, speaker):
    assert post(client, orcid="0000-0002-9079-593x").status_code == 302
    assert SpeakerProfile.objects.get(user=speaker).orcid == "0000-0002-9079-593X"


@pytest.mark.parametrize(
    ("orcid", "message"),
    [
        ("0000-0002-1825-0098", "check digit is wrong"),
        ("0000-0002-1825-009", "Write the ORCID iD as"),
        ("0000 0002 1825 0097", "Write the ORCID iD as"),
        ("orcid please", "Write the ORCID iD as"),
    ],
)
def test_bad_orcid_is_a_form_error(client, speaker, orcid, message):
    response = post(client, orcid=orcid)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["orcid"])
    assert SpeakerProfile.objects.get(user=speaker).orcid == ""


def test_small_png_is_stored_under_our_name_without_its_metadata(client, speaker):
    upload = SimpleUploadedFile(
        "my holiday (1).png", image_bytes("PNG", pnginfo=_png_text()), "image/png"
    )
    response = post(client, photo=upload)
    assert response.status_code == 302
    profile = SpeakerProfile.objects.get(user=speaker)
    assert profile.photo.name.startswith("speakers/")
    assert profile.photo.name.endswith(".png")
    assert "holiday" not in profile.photo.name
    with Image.open(profile.photo.path) as stored:
        assert stored.format == "PNG"
        assert stored.size == (40, 30)
        assert "secret" not in stored.info
    page = client.get(URL).content.decode()
    assert profile.photo.url in page


def _png_text():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("secret", "GPS 48.69 6.18")
    return info


def test_jpeg_and_webp_are_accepted(client, speaker):
    assert post(client, photo=SimpleUploadedFile("a.jpg", image_bytes("JPEG"))).status_code == 302
    assert SpeakerProfile.objects.get(user=speaker).photo.name.endswith(".jpg")
    assert post(client, photo=SimpleUploadedFile("b", image_bytes("WEBP"))).status_code == 302
    assert SpeakerProfile.objects.get(user=speaker).photo.name.endswith(".webp")


def test_replacing_the_photo_removes_the_old_file(
    client, speaker, django_capture_on_commit_callbacks
):
    post(client, photo=SimpleUploadedFile("a.png", image_bytes()))
    old = SpeakerProfile.objects.get(user=speaker).photo
    old_path = old.path
    with django_capture_on_commit_callbacks(execute=True):
        post(client, photo=SimpleUploadedFile("b.png", image_bytes()))
    new = SpeakerProfile.objects.get(user=speaker).photo
    assert new.name != old.name
    assert not old.storage.exists(old.name), old_path


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("me.png", b"just some text, not a picture", "image/png"),
            "not an image",
        ),
        (
            SimpleUploadedFile("me.gif", image_bytes("GIF"), "image/gif"),
            "GIF images are not accepted",
        ),
        (SimpleUploadedFile("me.png", image_bytes(size=(4001, 10))), "4001×10 pixels"),
        (SimpleUploadedFile("me.png", image_bytes()[:60]), "image"),
    ],
    ids=["text-named-png", "gif", "too-wide", "truncated"],
)
def test_bad_photo_is_a_clear_form_error(client, speaker, upload, message):
    response = post(client, photo=upload)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["photo"])
    assert not SpeakerProfile.objects.get(user=speaker).photo


def test_photo_over_two_megabytes_is_refused(client, speaker):
    big = image_bytes("PNG") + b"\0" * (2 * 1024 * 1024)
    response = post(client, photo=SimpleUploadedFile("big.png", big))
    assert response.status_code == 200
    assert "the limit is 2 MB" in " ".join(response.context["form"].errors["photo"])


def test_profile_of_another_user_is_not_editable(client, speaker):
    other = UserFactory()
    theirs = SpeakerProfile.objects.create(name="Somebody Else", user=other)
    post(client, name="Hijacked")
    theirs.refresh_from_db()
    assert theirs.name == "Somebody Else"
