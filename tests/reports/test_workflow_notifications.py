"""E-mails: editors hear of submissions; the author hears of changes requested, approval and
publication. They leave only once the transaction commits."""

import pytest
from django.core import mail

from reports.editions import workflow
from reports.models import Section
from tests.builders import make_edition, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(researcher):
    draft = workflow.start_draft(make_profile(), researcher)
    Section.objects.create(edition=draft, position=1, heading="Policy", body="Has acceded.")
    return draft


def sent(capture, action):
    with capture(execute=True):
        action()
    messages = list(mail.outbox)
    mail.outbox.clear()
    return messages


def test_each_step_mails_the_right_people(
    django_capture_on_commit_callbacks, draft, researcher, editor, publisher, make_user
):
    from monitor.roles import EDITOR

    second_editor = make_user("editor2", EDITOR)
    capture = django_capture_on_commit_callbacks

    messages = sent(capture, lambda: workflow.submit(draft, researcher, "Ready"))
    # Editors (and publishers, who review too) hear of it; the submitter does not.
    assert sorted(m.to[0] for m in messages) == sorted(
        [editor.email, second_editor.email, publisher.email]
    )
    assert all("Submitted for review" in m.subject for m in messages)
    assert "Ready" in messages[0].body

    messages = sent(capture, lambda: workflow.request_changes(draft, editor, "Fix note 3"))
    assert [m.to for m in messages] == [[researcher.email]]
    assert "Changes requested" in messages[0].subject and "Fix note 3" in messages[0].body

    sent(capture, lambda: workflow.submit(draft, researcher))
    messages = sent(capture, lambda: workflow.approve(draft, editor))
    assert [m.to for m in messages] == [[researcher.email]]
    assert "Approved" in messages[0].subject

    messages = sent(capture, lambda: workflow.publish(draft, publisher))
    assert [m.to for m in messages] == [[researcher.email]]
    assert "Published" in messages[0].subject
    assert draft.profile.get_absolute_url() in messages[0].body


def test_a_refused_action_sends_nothing(django_capture_on_commit_callbacks, researcher):
    edition = make_edition(state="published")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(workflow.WorkflowError),
    ):
        workflow.submit(edition, researcher)
    assert mail.outbox == []


def test_no_mail_leaves_before_the_transaction_commits(
    django_capture_on_commit_callbacks, draft, researcher, editor
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit(draft, researcher)
    assert mail.outbox == []
    for callback in callbacks:  # what the commit would run
        callback()
    assert len(mail.outbox) == 1
