"""The editorial experience in the admin (issue 12): withdraw asks and never strands a
profile, revert stays within its edition, text is normalised, save and submit is one post,
content checks, the reviewer's comment, the profile page, renumbering, e-mail links."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.editions import workflow
from reports.models import Edition
from tests.builders import make_country, make_edition, make_profile, make_topic

pytestmark = pytest.mark.django_db

S = Edition.State


def change_url(edition):
    return reverse("admin:reports_edition_change", args=[edition.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def published_with_previous():
    profile = make_profile(make_country("Kazakhstan"), make_topic("Mine Ban Policy"))
    old = make_edition(
        profile,
        state=S.SUPERSEDED,
        sections=[("Policy", "Old wording of 2019.[1]")],
        last_updated=datetime.date(2019, 12, 18),
    )
    new = make_edition(
        profile,
        state=S.PUBLISHED,
        sections=[("Policy", "New wording of 2020.[1]")],
        last_updated=datetime.date(2020, 11, 2),
    )
    return profile, old, new


# --- 1. withdraw --------------------------------------------------------------------------


def test_withdraw_asks_for_a_reason_on_a_confirmation_page(client, publisher):
    profile, old, new = published_with_previous()
    client.force_login(publisher)
    page = client.get(change_url(new))
    confirm = reverse("admin:reports_edition_withdraw", args=[new.pk])
    assert confirm in page.text
    form = client.get(confirm)
    assert form.status_code == 200
    assert 'name="comment"' in form.text and 'value="restore"' in form.text
    assert "18 December 2019" in form.text  # the edition that comes back

    refused = client.post(confirm, {"comment": "", "after": "restore"})
    assert refused.status_code == 200 and "a comment is required" in refused.text
    assert Edition.objects.get(pk=new.pk).state == S.PUBLISHED

    done = client.post(confirm, {"comment": "Wrong figures", "after": "restore"})
    assert done.status_code == 302
    assert "current again" in messages_of(done)[0]
    assert Edition.objects.get(pk=new.pk).state == S.WITHDRAWN
    assert Edition.objects.get(pk=old.pk).state == S.PUBLISHED
    public = client.get(profile.get_absolute_url())
    assert public.status_code == 200 and "Old wording of 2019." in public.text
    assert new.events.get(action="withdraw").comment == "Withdrawn: Wrong figures (#%d is current again)" % old.pk


def test_taking_a_profile_offline_answers_410_with_a_notice(client, publisher):
    profile, old, new = published_with_previous()
    client.force_login(publisher)
    confirm = reverse("admin:reports_edition_withdraw", args=[new.pk])
    client.post(confirm, {"comment": "Legal review", "after": "offline"})
    assert Edition.objects.get(pk=old.pk).state == S.SUPERSEDED
    client.logout()
    page = client.get(profile.get_absolute_url())
    assert page.status_code == 410
    assert "withdrawn" in page.text and "New wording" not in page.text
    assert "2019" in page.text  # the archive is still linked


def test_a_profile_whose_only_edition_was_withdrawn_answers_410(client, publisher):
    edition = make_edition(state=S.PUBLISHED)
    workflow.withdraw(edition, publisher, "Published by mistake")
    assert client.get(edition.profile.get_absolute_url()).status_code == 410
    never = make_profile()
    assert client.get(never.get_absolute_url()).status_code == 404


def test_the_next_draft_after_taking_a_profile_offline_is_a_copy_not_empty(client, publisher):
    profile, old, new = published_with_previous()
    workflow.withdraw(new, publisher, "Legal review", restore_previous=False)
    draft = workflow.start_draft(profile, publisher)
    assert draft.based_on_id == new.pk
    assert list(draft.sections.values_list("body", flat=True)) == ["New wording of 2020.[1]"]
    assert draft.footnotes.count() == 1


def test_the_user_chooses_which_edition_the_next_draft_copies(client, publisher):
    profile, old, new = published_with_previous()
    workflow.withdraw(new, publisher, "Wrong figures")  # the 2019 one is current again
    client.force_login(publisher)
    page = client.get(change_url(new))
    assert "Start a new draft from this edition" in page.text
    response = client.post(reverse("admin:reports_edition_start_draft", args=[new.pk]))
    draft = Edition.objects.get(profile=profile, state=S.DRAFT)
    assert response.url == change_url(draft)
    assert draft.based_on_id == new.pk
    assert draft.sections.get().body == "New wording of 2020.[1]"
    # by default a draft copies the current edition, the restored one
    Edition.objects.filter(pk=draft.pk).delete()
    assert workflow.start_draft(profile, publisher).sections.get().body == (
        "Old wording of 2019.[1]"
    )
