"""The three editorial roles exist in every database with the permissions they need."""

import pytest
from django.contrib.auth.models import Group

from monitor.roles import EDITOR, PUBLISHER, RESEARCHER, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def perms(role):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_the_roles_exist():
    assert set(Group.objects.values_list("name", flat=True)) >= {RESEARCHER, EDITOR, PUBLISHER}


def test_researcher_edits_and_submits_but_neither_approves_nor_publishes():
    researcher = perms(RESEARCHER)
    assert {
        "reports.change_edition",
        "reports.add_edition",
        "reports.change_section",
        "sources.add_footnote",
        "sources.add_source",
        "reports.submit_edition",
        "reports.view_country",
    } <= researcher
    assert (
        not {
            "reports.review_edition",
            "reports.publish_edition",
            "reports.change_country",
            "reports.delete_edition",
            "reports.import_archive",
        }
        & researcher
    )


def test_editor_also_reviews_imports_and_merges_sources_but_does_not_publish():
    editor = perms(EDITOR)
    assert perms(RESEARCHER) < editor
    assert {
        "reports.review_edition",
        "reports.import_archive",
        "sources.merge_source",
        "reports.change_country",
    } <= editor
    assert "reports.publish_edition" not in editor


def test_publisher_also_publishes():
    publisher = perms(PUBLISHER)
    assert perms(EDITOR) < publisher
    assert "reports.publish_edition" in publisher


def test_no_role_may_delete_published_history():
    for role in (RESEARCHER, EDITOR, PUBLISHER):
        assert "reports.delete_edition" not in perms(role)
        assert "reports.delete_profile" not in perms(role)


def test_changing_what_published_pages_show_is_for_editors_and_publishers():
    assert "reports.change_public_record" not in perms(RESEARCHER)
    assert "reports.change_public_record" in perms(EDITOR)
    assert "reports.change_public_record" in perms(PUBLISHER)
    for role in (RESEARCHER, EDITOR, PUBLISHER):
        assert "reports.view_recordchange" in perms(role)


def test_the_migrations_grant_every_permission_of_the_role_table():
    for role, wanted in ROLE_PERMISSIONS.items():
        assert perms(role) == set(wanted), role
