"""The permission matrix: every URL of the project × anonymous, researcher, editor, publisher,
superuser × GET and an empty POST (rolled back).

A cell is "GET/POST": the status code, or "login" for a redirect to the login page. A URL
pattern that is not in the table, or a row whose pattern is gone, fails the test: a new page
is reviewed here before it ships. To see what the code does now, run with
PRINT_MATRIX=path: the observed table is written there.
"""

import os

import pytest

from tests.permission_matrix import ROLES, build_records, observe, path_for, url_patterns

pytestmark = pytest.mark.django_db

MATRIX = """
url                                                         anonymous    researcher   editor       publisher    superuser
admin:reports_import_archive                                login/login  403/403      200/200      200/200      200/200
admin:reports_import_job                                    login/login  403/403      404/404      404/404      404/404
admin:index                                                 login/login  200/200      200/200      200/200      200/200
admin:login                                                 200/200      302/200      302/200      302/200      302/200
admin:logout                                                302/302      405/200      405/200      405/200      405/200
admin:password_change                                       login/login  200/200      200/200      200/200      200/200
admin:password_change_done                                  login/login  200/405      200/405      200/405      200/405
admin:autocomplete                                          login/login  403/405      403/405      403/405      403/405
admin:jsi18n                                                login/login  200/405      200/405      200/405      200/405
admin:view_on_site                                          login/login  302/302      302/302      302/302      302/302
admin:auth_group_changelist                                 login/login  403/403      403/403      403/403      200/200
admin:auth_group_add                                        login/login  403/403      403/403      403/403      200/200
admin:auth_group_history                                    login/login  403/403      403/403      403/403      200/200
admin:auth_group_delete                                     login/login  403/403      403/403      403/403      200/200
admin:auth_group_change                                     login/login  403/403      403/403      403/403      200/200
admin/auth/group/<path:object_id>/                          login/login  302/302      302/302      302/302      302/302
admin:auth_user_password_change                             login/login  403/403      403/403      403/403      200/200
admin:auth_user_changelist                                  login/login  403/403      403/403      403/403      200/200
admin:auth_user_add                                         login/login  403/403      403/403      403/403      200/200
admin:auth_user_history                                     login/login  403/403      403/403      403/403      200/200
admin:auth_user_delete                                      login/login  403/403      403/403      403/403      200/200
admin:auth_user_change                                      login/login  403/403      403/403      403/403      200/200
admin/auth/user/<path:object_id>/                           login/login  302/302      302/302      302/302      302/302
admin:sites_site_changelist                                 login/login  403/403      403/403      403/403      200/200
admin:sites_site_add                                        login/login  403/403      403/403      403/403      200/200
admin:sites_site_history                                    login/login  403/403      403/403      403/403      200/200
admin:sites_site_delete                                     login/login  403/403      403/403      403/403      200/200
admin:sites_site_change                                     login/login  403/403      403/403      403/403      200/200
admin/sites/site/<path:object_id>/                          login/login  302/302      302/302      302/302      302/302
admin:flatpages_flatpage_changelist                         login/login  403/403      403/403      403/403      200/200
admin:flatpages_flatpage_add                                login/login  403/403      403/403      403/403      200/200
admin:flatpages_flatpage_history                            login/login  403/403      403/403      403/403      200/200
admin:flatpages_flatpage_delete                             login/login  403/403      403/403      403/403      200/200
admin:flatpages_flatpage_change                             login/login  403/403      403/403      403/403      200/200
admin/flatpages/flatpage/<path:object_id>/                  login/login  302/302      302/302      302/302      302/302
admin:axes_accessattempt_changelist                         login/login  403/403      403/403      403/403      200/200
admin:axes_accessattempt_add                                login/login  403/403      403/403      403/403      403/403
admin:axes_accessattempt_history                            login/login  403/403      403/403      403/403      200/200
admin:axes_accessattempt_delete                             login/login  403/403      403/403      403/403      200/200
admin:axes_accessattempt_change                             login/login  403/403      403/403      403/403      200/302
admin/axes/accessattempt/<path:object_id>/                  login/login  302/302      302/302      302/302      302/302
admin:axes_accesslog_changelist                             login/login  403/403      403/403      403/403      200/200
admin:axes_accesslog_add                                    login/login  403/403      403/403      403/403      403/403
admin:axes_accesslog_history                                login/login  403/403      403/403      403/403      200/200
admin:axes_accesslog_delete                                 login/login  403/403      403/403      403/403      200/200
admin:axes_accesslog_change                                 login/login  403/403      403/403      403/403      200/302
admin/axes/accesslog/<path:object_id>/                      login/login  302/302      302/302      302/302      302/302
admin:axes_accessfailurelog_changelist                      login/login  403/403      403/403      403/403      200/200
admin:axes_accessfailurelog_add                             login/login  403/403      403/403      403/403      403/403
admin:axes_accessfailurelog_history                         login/login  403/403      403/403      403/403      200/200
admin:axes_accessfailurelog_delete                          login/login  403/403      403/403      403/403      200/200
admin:axes_accessfailurelog_change                          login/login  403/403      403/403      403/403      200/302
admin/axes/accessfailurelog/<path:object_id>/               login/login  302/302      302/302      302/302      302/302
admin:django_tasks_database_dbtaskresult_changelist         login/login  403/403      403/403      403/403      200/200
admin:django_tasks_database_dbtaskresult_add                login/login  403/403      403/403      403/403      403/403
admin:django_tasks_database_dbtaskresult_history            login/login  403/403      403/403      403/403      200/200
admin:django_tasks_database_dbtaskresult_delete             login/login  403/403      403/403      403/403      403/403
admin:django_tasks_database_dbtaskresult_change             login/login  403/403      403/403      403/403      200/403
admin/django_tasks_database/dbtaskresult/<path:object_id>/  login/login  302/302      302/302      302/302      302/302
admin:reports_country_process_import                        login/login  405/403      405/200      405/200      405/200
admin:reports_country_import                                login/login  403/403      200/200      200/200      200/200
admin:reports_country_export                                login/login  200/200      200/200      200/200      200/200
admin:reports_country_recoverlist                           login/login  403/403      200/200      200/200      200/200
admin:reports_country_recover                               login/login  403/403      302/302      302/302      302/302
admin:reports_country_revision                              login/login  302/302      302/302      302/302      302/302
admin:reports_country_changelist                            login/login  200/200      200/200      200/200      200/200
admin:reports_country_add                                   login/login  403/403      200/200      200/200      200/200
admin:reports_country_history                               login/login  200/200      200/200      200/200      200/200
admin:reports_country_delete                                login/login  403/403      403/403      403/403      200/200
admin:reports_country_change                                login/login  200/403      200/200      200/200      200/200
admin/reports/country/<path:object_id>/                     login/login  302/302      302/302      302/302      302/302
admin:reports_topic_process_import                          login/login  405/403      405/200      405/200      405/200
admin:reports_topic_import                                  login/login  403/403      200/200      200/200      200/200
admin:reports_topic_export                                  login/login  200/200      200/200      200/200      200/200
admin:reports_topic_recoverlist                             login/login  403/403      200/200      200/200      200/200
admin:reports_topic_recover                                 login/login  403/403      302/302      302/302      302/302
admin:reports_topic_revision                                login/login  302/302      302/302      302/302      302/302
admin:reports_topic_changelist                              login/login  200/200      200/200      200/200      200/200
admin:reports_topic_add                                     login/login  403/403      200/200      200/200      200/200
admin:reports_topic_history                                 login/login  200/200      200/200      200/200      200/200
admin:reports_topic_delete                                  login/login  403/403      403/403      403/403      200/200
admin:reports_topic_change                                  login/login  200/403      200/200      200/200      200/200
admin/reports/topic/<path:object_id>/                       login/login  302/302      302/302      302/302      302/302
admin:reports_report_release                                login/login  403/403      403/403      200/302      200/302
admin:reports_report_start_drafts                           login/login  200/200      200/200      200/200      200/200
admin:reports_report_dashboard                              login/login  200/200      200/200      200/200      200/200
admin:reports_report_process_import                         login/login  405/403      405/200      405/200      405/200
admin:reports_report_import                                 login/login  403/403      200/200      200/200      200/200
admin:reports_report_export                                 login/login  200/200      200/200      200/200      200/200
admin:reports_report_recoverlist                            login/login  403/403      200/200      200/200      200/200
admin:reports_report_recover                                login/login  403/403      302/302      302/302      302/302
admin:reports_report_revision                               login/login  302/302      302/302      302/302      302/302
admin:reports_report_changelist                             login/login  200/200      200/200      200/200      200/200
admin:reports_report_add                                    login/login  403/403      200/200      200/200      200/200
admin:reports_report_history                                login/login  200/200      200/200      200/200      200/200
admin:reports_report_delete                                 login/login  403/403      403/403      200/200      200/200
admin:reports_report_change                                 login/login  200/403      200/200      200/200      200/200
admin:reports_chapter_recoverlist                           login/login  403/403      200/200      200/200      200/200
admin:reports_chapter_recover                               login/login  403/403      302/302      302/302      302/302
admin:reports_chapter_revision                              login/login  302/302      302/302      302/302      302/302
admin:reports_chapter_changelist                            login/login  200/200      200/200      200/200      200/200
admin:reports_chapter_add                                   login/login  403/403      200/200      200/200      200/200
admin:reports_chapter_history                               login/login  200/200      200/200      200/200      200/200
admin:reports_chapter_delete                                login/login  403/403      200/200      200/200      200/200
admin:reports_chapter_change                                login/login  200/403      200/200      200/200      200/200
admin/reports/chapter/<path:object_id>/                     login/login  302/302      302/302      302/302      302/302
admin/reports/report/<path:object_id>/                      login/login  302/302      302/302      302/302      302/302
admin:reports_profile_start_draft                           login/login  405/302      405/302      405/302      405/302
admin:reports_profile_recoverlist                           login/login  200/200      200/200      200/200      200/200
admin:reports_profile_recover                               login/login  302/302      302/302      302/302      302/302
admin:reports_profile_revision                              login/login  302/302      302/302      302/302      302/302
admin:reports_profile_changelist                            login/login  200/200      200/200      200/200      200/200
admin:reports_profile_add                                   login/login  200/200      200/200      200/200      200/200
admin:reports_profile_history                               login/login  200/200      200/200      200/200      200/200
admin:reports_profile_delete                                login/login  403/403      403/403      403/403      200/200
admin:reports_profile_change                                login/login  200/200      200/200      200/200      200/200
admin/reports/profile/<path:object_id>/                     login/login  302/302      302/302      302/302      302/302
admin:reports_edition_dashboard                             login/login  200/200      200/200      200/200      200/200
admin:reports_edition_workflow                              login/login  405/302      405/302      405/302      405/302
admin:reports_edition_start_draft                           login/login  405/302      405/302      405/302      405/302
admin:reports_edition_editing_lock                          login/login  405/200      405/200      405/200      405/200
admin:reports_edition_withdraw                              login/login  302/302      302/302      200/200      200/200
admin:reports_edition_compare                               login/login  200/200      200/200      200/200      200/200
admin:reports_edition_revert                                login/login  200/302      200/302      200/302      200/302
admin:reports_edition_recoverlist                           login/login  302/302      302/302      302/302      302/302
admin:reports_edition_recover                               login/login  302/302      302/302      302/302      302/302
admin:reports_edition_revision                              login/login  302/302      302/302      302/302      302/302
admin:reports_edition_changelist                            login/login  200/200      200/200      200/200      200/200
admin:reports_edition_add                                   login/login  200/200      200/200      200/200      200/200
admin:reports_edition_history                               login/login  200/200      200/200      200/200      200/200
admin:reports_edition_delete                                login/login  403/403      403/403      403/403      200/200
admin:reports_edition_change                                login/login  200/200      200/200      200/200      200/200
admin/reports/edition/<path:object_id>/                     login/login  302/302      302/302      302/302      302/302
admin:reports_section_recoverlist                           login/login  302/302      302/302      302/302      302/302
admin:reports_section_recover                               login/login  302/302      302/302      302/302      302/302
admin:reports_section_revision                              login/login  302/302      302/302      302/302      302/302
admin:reports_section_changelist                            login/login  200/200      200/200      200/200      200/200
admin:reports_section_add                                   login/login  200/200      200/200      200/200      200/200
admin:reports_section_history                               login/login  200/200      200/200      200/200      200/200
admin:reports_section_delete                                login/login  200/200      200/200      200/200      200/200
admin:reports_section_change                                login/login  200/200      200/200      200/200      200/200
admin/reports/section/<path:object_id>/                     login/login  302/302      302/302      302/302      302/302
admin:reports_overviewfact_export                           login/login  200/200      200/200      200/200      200/200
admin:reports_overviewfact_recoverlist                      login/login  302/302      302/302      302/302      302/302
admin:reports_overviewfact_recover                          login/login  302/302      302/302      302/302      302/302
admin:reports_overviewfact_revision                         login/login  302/302      302/302      302/302      302/302
admin:reports_overviewfact_changelist                       login/login  200/200      200/200      200/200      200/200
admin:reports_overviewfact_add                              login/login  200/200      200/200      200/200      200/200
admin:reports_overviewfact_history                          login/login  200/200      200/200      200/200      200/200
admin:reports_overviewfact_delete                           login/login  200/200      200/200      200/200      200/200
admin:reports_overviewfact_change                           login/login  200/200      200/200      200/200      200/200
admin/reports/overviewfact/<path:object_id>/                login/login  302/302      302/302      302/302      302/302
admin:reports_treatystatus_paste                            login/login  403/403      200/200      200/200      200/200
admin:reports_treatystatus_process_import                   login/login  405/403      405/200      405/200      405/200
admin:reports_treatystatus_import                           login/login  403/403      200/200      200/200      200/200
admin:reports_treatystatus_export                           login/login  200/200      200/200      200/200      200/200
admin:reports_treatystatus_recoverlist                      login/login  403/403      200/200      200/200      200/200
admin:reports_treatystatus_recover                          login/login  403/403      302/302      302/302      302/302
admin:reports_treatystatus_revision                         login/login  302/302      302/302      302/302      302/302
admin:reports_treatystatus_changelist                       login/login  200/200      200/200      200/200      200/200
admin:reports_treatystatus_add                              login/login  403/403      200/200      200/200      200/200
admin:reports_treatystatus_history                          login/login  200/200      200/200      200/200      200/200
admin:reports_treatystatus_delete                           login/login  403/403      403/403      403/403      200/200
admin:reports_treatystatus_change                           login/login  200/403      200/200      200/200      200/200
admin/reports/treatystatus/<path:object_id>/                login/login  302/302      302/302      302/302      302/302
admin:reports_recordchange_changelist                       login/login  200/200      200/200      200/200      200/200
admin:reports_recordchange_add                              login/login  403/403      403/403      403/403      403/403
admin:reports_recordchange_history                          login/login  200/200      200/200      200/200      200/200
admin:reports_recordchange_delete                           login/login  403/403      403/403      403/403      403/403
admin:reports_recordchange_change                           login/login  200/403      200/403      200/403      200/403
admin/reports/recordchange/<path:object_id>/                login/login  302/302      302/302      302/302      302/302
admin:reports_assignment_changelist                         login/login  200/200      200/200      200/200      200/200
admin:reports_assignment_add                                login/login  403/403      200/200      200/200      200/200
admin:reports_assignment_history                            login/login  200/200      200/200      200/200      200/200
admin:reports_assignment_delete                             login/login  403/403      200/200      200/200      200/200
admin:reports_assignment_change                             login/login  200/403      200/200      200/200      200/200
admin/reports/assignment/<path:object_id>/                  login/login  302/302      302/302      302/302      302/302
admin:sources_source_process_import                         login/login  405/403      405/200      405/200      405/200
admin:sources_source_import                                 login/login  403/403      200/200      200/200      200/200
admin:sources_source_export                                 login/login  200/200      200/200      200/200      200/200
admin:sources_source_recoverlist                            login/login  200/200      200/200      200/200      200/200
admin:sources_source_recover                                login/login  302/302      302/302      302/302      302/302
admin:sources_source_revision                               login/login  302/302      302/302      302/302      302/302
admin:sources_source_changelist                             login/login  200/200      200/200      200/200      200/200
admin:sources_source_add                                    login/login  200/200      200/200      200/200      200/200
admin:sources_source_history                                login/login  200/200      200/200      200/200      200/200
admin:sources_source_delete                                 login/login  403/403      403/403      403/403      200/200
admin:sources_source_change                                 login/login  200/200      200/200      200/200      200/200
admin/sources/source/<path:object_id>/                      login/login  302/302      302/302      302/302      302/302
admin:sources_footnote_export                               login/login  200/200      200/200      200/200      200/200
admin:sources_footnote_recoverlist                          login/login  302/302      302/302      302/302      302/302
admin:sources_footnote_recover                              login/login  302/302      302/302      302/302      302/302
admin:sources_footnote_revision                             login/login  302/302      302/302      302/302      302/302
admin:sources_footnote_changelist                           login/login  200/200      200/200      200/200      200/200
admin:sources_footnote_add                                  login/login  200/200      200/200      200/200      200/200
admin:sources_footnote_history                              login/login  200/200      200/200      200/200      200/200
admin:sources_footnote_delete                               login/login  200/200      200/200      200/200      200/200
admin:sources_footnote_change                               login/login  200/200      200/200      200/200      200/200
admin/sources/footnote/<path:object_id>/                    login/login  302/302      302/302      302/302      302/302
admin:sources_citation_recoverlist                          login/login  302/302      302/302      302/302      302/302
admin:sources_citation_recover                              login/login  302/302      302/302      302/302      302/302
admin:sources_citation_revision                             login/login  302/302      302/302      302/302      302/302
admin:sources_citation_changelist                           login/login  200/200      200/200      200/200      200/200
admin:sources_citation_add                                  login/login  200/200      200/200      200/200      200/200
admin:sources_citation_history                              login/login  200/200      200/200      200/200      200/200
admin:sources_citation_delete                               login/login  200/200      200/200      200/200      200/200
admin:sources_citation_change                               login/login  200/200      200/200      200/200      200/200
admin/sources/citation/<path:object_id>/                    login/login  302/302      302/302      302/302      302/302
admin:app_list                                              login/login  200/200      200/200      200/200      200/200
admin/(?P<url>.*)$                                          login/login  404/404      404/404      404/404      404/404
edition_preview                                             404/404      200/200      200/200      200/200      200/200
health                                                      200/405      200/405      200/405      200/405      200/405
api:openapi-json                                            200/200      200/200      200/200      200/200      200/200
api:openapi-view                                            200/200      200/200      200/200      200/200      200/200
api:index                                                   200/405      200/405      200/405      200/405      200/405
api:countries                                               200/405      200/405      200/405      200/405      200/405
api:country                                                 200/405      200/405      200/405      200/405      200/405
api:topics                                                  200/405      200/405      200/405      200/405      200/405
api:reports                                                 200/405      200/405      200/405      200/405      200/405
api:profiles                                                200/405      200/405      200/405      200/405      200/405
api:editions                                                200/405      200/405      200/405      200/405      200/405
api:edition                                                 200/405      200/405      200/405      200/405      200/405
api:sources                                                 200/405      200/405      200/405      200/405      200/405
api:source                                                  200/405      200/405      200/405      200/405      200/405
api:treaty_status                                           200/405      200/405      200/405      200/405      200/405
api:api-root                                                200/405      200/405      200/405      200/405      200/405
public:home                                                 200/405      200/405      200/405      200/405      200/405
public:countries                                            200/405      200/405      200/405      200/405      200/405
public:country                                              200/405      200/405      200/405      200/405      200/405
public:profile                                              200/405      200/405      200/405      200/405      200/405
public:changes                                              200/405      200/405      200/405      200/405      200/405
public:profile_pdf                                          200/405      200/405      200/405      200/405      200/405
public:figure                                               200/405      200/405      200/405      200/405      200/405
public:archived                                             200/405      200/405      200/405      200/405      200/405
public:archived_edition                                     200/405      200/405      200/405      200/405      200/405
public:archived_pdf                                         200/405      200/405      200/405      200/405      200/405
public:reports                                              200/405      200/405      200/405      200/405      200/405
public:report                                               200/405      200/405      200/405      200/405      200/405
public:report_pdf                                           200/405      200/405      200/405      200/405      200/405
public:chapter                                              200/405      200/405      200/405      200/405      200/405
public:source                                               200/405      200/405      200/405      200/405      200/405
public:search                                               200/405      200/405      200/405      200/405      200/405
public:treaty_status                                        200/405      200/405      200/405      200/405      200/405
public:treaty_map                                           200/405      200/405      200/405      200/405      200/405
public:topic                                                200/405      200/405      200/405      200/405      200/405
public:feed                                                 200/405      200/405      200/405      200/405      200/405
public:country_feed                                         200/405      200/405      200/405      200/405      200/405
public:topic_feed                                           200/405      200/405      200/405      200/405      200/405
public:sitemap                                              200/405      200/405      200/405      200/405      200/405
public:sitemap_section                                      200/405      200/405      200/405      200/405      200/405
public:robots                                               200/405      200/405      200/405      200/405      200/405
public:about                                                200/405      200/405      200/405      200/405      200/405
public:page                                                 200/405      200/405      200/405      200/405      200/405
"""


def parse(table):
    rows = {}
    for line in table.strip().splitlines()[1:]:
        key, *cells = line.split()
        rows[key] = dict(zip(ROLES, cells, strict=True))
    return rows


@pytest.fixture
def users(researcher, editor, publisher, superuser):
    return {
        "anonymous": None,
        "researcher": researcher,
        "editor": editor,
        "publisher": publisher,
        "superuser": superuser,
    }


def test_every_url_of_the_project_is_in_the_matrix():
    patterns = {key for key, _ in url_patterns()}
    rows = set(parse(MATRIX))
    assert sorted(patterns - rows) == [], "URLs missing from the matrix"
    assert sorted(rows - patterns) == [], "rows of URLs that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(role, client, users):
    records = build_records(users)
    paths = {key: path_for(key, route, records, users) for key, route in url_patterns()}
    seen = observe(client, users[role], paths)
    if os.environ.get("PRINT_MATRIX"):
        with open(f"{os.environ['PRINT_MATRIX']}.{role}", "w") as out:
            out.write("\n".join(f"{key} {cell}" for key, cell in seen.items()))
    expected = {key: cells[role] for key, cells in parse(MATRIX).items()}
    wrong = {
        key: (expected.get(key), cell) for key, cell in seen.items() if expected.get(key) != cell
    }
    assert wrong == {}, f"{role}: (matrix, observed)"
