"""Every URL of the project, and what each role gets from it (see tests/test_permission_matrix).

Builds one of every record the URLs name, finds every URL pattern of the project, fills in its
arguments and requests it as each role, GET and an empty POST, each request rolled back.
"""

import re

import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from reversion.models import Version

from reports.editions import workflow
from reports.models import Assignment, Edition
from reports.public import pagecache
from tests.builders import PDF_BYTES, make_chapter, make_edition, make_figure, make_record_change
from tests.reports.public_helpers import make_site

ROLES = ["anonymous", "researcher", "editor", "publisher", "superuser"]


def url_patterns(patterns=None, prefix="", namespace=""):
    """(key, route) of every URL pattern: the key is its name, or its route when unnamed."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield (name if pattern.name else route), route


def build_records(users):
    """One record of everything a URL can name."""
    site = make_site(notes=2)
    profile, current = site["profile"], site["current"]
    chapter = make_chapter(current.report)
    with reversion.create_revision():
        reversion.set_user(users["editor"])
        for model_instance in [
            site["country"],
            site["topic"],
            profile,
            current.report,
            chapter,
            current.sections.first(),
            current.overview_facts.first(),
            current.footnotes.first(),
            current.footnotes.first().citations.first(),
            current.footnotes.first().sources.first(),
            site["country"].treaty_statuses.first(),
        ]:
            reversion.add_to_revision(model_instance)
    draft = workflow.start_draft(profile, users["editor"])
    Assignment.objects.create(
        report=current.report, profile=profile, researcher=users["researcher"]
    )
    for url in ("/about/", "/pages/press/"):
        page, _ = FlatPage.objects.get_or_create(url=url, defaults={"title": url, "content": "."})
        page.sites.add(Site.objects.get_current())
    make_edition(state=Edition.State.DRAFT)
    make_figure(current)
    current.report.pdf.save("report.pdf", ContentFile(PDF_BYTES))
    make_record_change(site["country"], users["editor"])
    AccessAttempt.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="x", failures_since_start=1
    )
    AccessLog.objects.create(username="someone", ip_address="192.0.2.1", user_agent="x")
    AccessFailureLog.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="x", attempt_time=timezone.now()
    )
    from reports.importer.tasks import import_staged

    import_staged.enqueue("staged-key", {}, users["publisher"].pk, True)  # queued, never run
    return {"site": site, "draft": draft, "group": Group.objects.first()}


def _object(model_label, records, users):
    site = records["site"]
    current = site["current"]
    return {
        "auth_group": records["group"],
        "auth_user": users["researcher"],
        "axes_accessattempt": AccessAttempt.objects.first(),
        "axes_accesslog": AccessLog.objects.first(),
        "axes_accessfailurelog": AccessFailureLog.objects.first(),
        "reports_country": site["country"],
        "reports_topic": site["topic"],
        "reports_report": current.report,
        "reports_chapter": current.report.chapters.first(),
        "reports_profile": site["profile"],
        "reports_edition": records["draft"],
        "reports_section": records["draft"].sections.first(),
        "reports_overviewfact": records["draft"].overview_facts.first(),
        "reports_treatystatus": site["country"].treaty_statuses.first(),
        "reports_recordchange": site["country"].pk and _record_change(),
        "sources_source": current.footnotes.first().sources.first(),
        "sources_footnote": records["draft"].footnotes.first(),
        "sources_citation": records["draft"].footnotes.first().citations.first(),
        "django_tasks_database_dbtaskresult": _task_result(),
        "reports_assignment": Assignment.objects.first(),
        "flatpages_flatpage": FlatPage.objects.first(),
        "sites_site": Site.objects.get_current(),
    }[model_label]


def _task_result():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.first()


def _record_change():
    from reports.models import RecordChange

    return RecordChange.objects.first()


def _version(obj):
    from reversion import is_registered

    return Version.objects.get_for_object(obj).first() if is_registered(type(obj)) else None


def path_for(key, route, records, users):
    """The URL to request for a pattern, its arguments filled with records of the right kind."""
    site, draft = records["site"], records["draft"]
    model = re.match(
        r"admin:(\w+?_\w+?)_(?:changelist|add|history|delete|change|recover"
        r"|recoverlist|revision|import|export|process_import|password_change)$",
        key or "",
    )
    values = {
        "<slug:country>": site["country"].slug,
        "<slug:topic>": site["topic"].slug,
        "<int:year>": str(site["current"].last_updated.year),
        "<slug:series>": site["current"].report.series_slug,
        "<int:edition_id>": str(site["current"].pk),
        "<int:source_id>": str(site["current"].footnotes.first().sources.first().pk),
        "<int:object_id>": str(draft.pk),
        "<str:action>": "submit",
        "<int:revision_id>": str(_version(draft).revision_id),
        "<path:content_type_id>": str(ContentType.objects.get_for_model(Edition).pk),
        "<id>": str(users["researcher"].pk),
        "(?P<url>.*)$": "no-such-page/",
        "^recover/$": "recover/",
        "<uuid:result_id>": "00000000-0000-4000-8000-000000000000",
        # The JSON API's (django-ninja's) and the newer public pages' arguments.
        "<slug>": site["country"].slug,
        "<edition_id>": str(site["current"].pk),
        "<source_id>": str(site["current"].footnotes.first().sources.first().pk),
        "<slug:section>": "editions",
        "<path:url>": "press/",
        "<slug:slug>": site["current"].report.chapters.first().slug,
        "<int:figure_id>": str(site["current"].figures.first().pk),
    }
    if key == "edition_preview":
        values["<int:edition_id>"] = str(draft.pk)
    if key == "public:archived":
        values["<int:year>"] = str(site["old"].last_updated.year)
    if key == "public:archived_edition":
        values["<int:year>"] = str(site["old"].last_updated.year)
        values["<int:edition_id>"] = str(site["old"].pk)
    path = "/" + route
    if key != "admin:view_on_site" and (model or "<path:object_id>" in route):
        label = model.group(1) if model else route.split("/")[1] + "_" + route.split("/")[2]
        obj = _object(label, records, users)
        version = _version(obj)
        values["<path:object_id>"] = str(obj.pk)
        values["^recover/(\\d+)/$"] = f"recover/{version.pk if version else 0}/"
        values["^([^/]+)/history/(\\d+)/$"] = f"{obj.pk}/history/{version.pk if version else 0}/"
    if key.startswith("admin:reports_report_"):  # a report's own pages
        values["<int:object_id>"] = str(site["current"].report.pk)
    if key == "admin:reports_profile_start_draft":
        values["<int:object_id>"] = str(site["profile"].pk)
    if key == "admin:reports_edition_withdraw":  # only a published edition is withdrawn
        values["<int:object_id>"] = str(site["current"].pk)
    if key == "public:archived_pdf":
        values["<int:year>"] = str(site["old"].last_updated.year)
        values["<int:edition_id>"] = str(site["old"].pk)
    if key == "admin:view_on_site":
        values["<path:object_id>"] = str(site["current"].pk)
    for placeholder, value in values.items():
        path = path.replace(placeholder, value)
    path = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "reports/", path)  # any app of the admin
    assert "<" not in path and "(" not in path and "^" not in path, (key, path)
    return path


def outcome(response):
    """A response as one word: its status, or "login" for a redirect to the login page."""
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    return str(response.status_code)


def observe(client, user, paths):
    """{key: "GET/POST"} for `user` (None: anonymous), every request rolled back."""
    if user is not None:
        client.force_login(user)
    cookies = client.cookies
    seen = {}
    for key, path in paths.items():
        cells = []
        for method in (client.get, client.post):
            pagecache.forget_all()
            with transaction.atomic():
                cells.append(outcome(method(path)))
                transaction.set_rollback(True)
            client.cookies = cookies.__class__(cookies)  # a logout must not end the session
        seen[key] = "/".join(cells)
    return seen
