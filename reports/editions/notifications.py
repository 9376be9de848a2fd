"""E-mails of the editorial workflow, sent once the transaction that caused them commits.

Editors hear of every submission; an edition's author hears when changes are requested, when
it is approved, published or withdrawn. Links are absolute (settings.SITE_URL); the mail server
is settings.EMAIL_URL (the console by default).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse


def absolute(path):
    """The address of `path` from outside (settings.SITE_URL): a mail is read elsewhere."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _link(edition):
    return absolute(reverse("admin:reports_edition_change", args=[edition.pk]))


def _send(recipients, subject, body):
    addresses = sorted({user.email for user in recipients if user and user.email})
    if not addresses:
        return
    # One message per recipient, so nobody sees the others' addresses.
    messages = [
        (f"[Monitor CMS] {subject}", body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    ]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def reviewers(exclude=None):
    User = get_user_model()
    users = User.objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        Q(is_superuser=False)
        & (
            Q(groups__permissions__codename="review_edition")
            | Q(user_permissions__codename="review_edition")
        )
    ).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _author(edition):
    return edition.created_by or edition.submitted_by


def _by(actor):
    return actor.get_full_name() or actor.get_username() if actor else "the scheduler"


def submit(edition, actor, comment=""):
    body = (
        f"{_by(actor)} submitted {edition.profile} for review.\n\n"
        + (f"Comment: {comment}\n\n" if comment else "")
        + f"Review it: {_link(edition)}\n"
    )
    _send(reviewers(exclude=actor), f"Submitted for review: {edition.profile}", body)


def request_changes(edition, actor, comment=""):
    body = (
        f"{_by(actor)} asked for changes to {edition.profile}:\n\n{comment}\n\n"
        f"Edit it: {_link(edition)}\n"
    )
    _send([_author(edition)], f"Changes requested: {edition.profile}", body)


def approve(edition, actor, comment=""):
    body = (
        f"{_by(actor)} approved {edition.profile}.\n\n"
        + (f"Comment: {comment}\n\n" if comment else "")
        + f"{_link(edition)}\n"
    )
    _send([_author(edition)], f"Approved: {edition.profile}", body)


def published(edition, actor):
    body = (
        f"{edition.profile} was published by {_by(actor)} "
        f"(last updated {edition.last_updated_display}).\n\n"
        f"Public page: {absolute(edition.profile.get_absolute_url())}\n"
    )
    _send([_author(edition)], f"Published: {edition.profile}", body)


def withdrawn(edition, actor, comment=""):
    body = (
        f"{_by(actor)} withdrew the published edition of {edition.profile}.\n\n"
        + (f"Reason: {comment}\n\n" if comment else "")
        + f"{_link(edition)}\n"
    )
    _send([_author(edition)], f"Withdrawn: {edition.profile}", body)
