"""Public pages: they read published editions only (the current one of each profile, and
superseded ones as the archive). Drafts, editions in review, approved, scheduled and withdrawn
editions are never shown here; staff see those through the preview (reports.public.preview).

Every page runs a fixed number of queries whatever the size of an edition. Edition pages are
cached and revalidatable, each as showing one profile, so that a change of another profile
leaves it cached: see reports.public.pagecache for the scheme.
"""

import csv
import dataclasses
import datetime
from collections import Counter
from itertools import groupby

from django.conf import settings
from django.contrib.flatpages import views as flatpage_views
from django.db.models import Case, Count, Exists, OuterRef, Q, When
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from ..attachments import readable_size
from ..diff import compare, snapshot_of_edition
from ..editions.states import READABLE
from ..models import Chapter, Country, Edition, Report, Topic, TreatyStatus
from . import pagecache, worldmap
from .changes import public_changes
from .folding import fold
from .pdf import pdf_response
from .rendering import load_content, render_edition_content, render_inline, render_text
from .search import (
    MARKERS,
    Filters,
    country_editions,
    did_you_mean,
    named_country,
    public_countries,
)
from .search import search as run_search

HISTORY_FIELDS = (
    "id",
    "profile_id",
    "state",
    "version",
    "updated_at",
    "published_at",
    "last_updated",
    "last_updated_precision",
    "report__title",
    "report__series_slug",
    "report__year",
)


def _display(row):
    return Edition(
        last_updated=row["last_updated"], last_updated_precision=row["last_updated_precision"]
    ).last_updated_display


def _history(country, topic):
    """Every readable edition of a profile, newest first, in one query (404 when none)."""
    rows = list(
        Edition.objects.filter(
            profile__country__slug=country, profile__topic__slug=topic, state__in=READABLE
        )
        .order_by("-last_updated", "-published_at", "-id")
        .values(*HISTORY_FIELDS)
    )
    if not rows:
        raise Http404("No such profile.")
    for row in rows:
        row["display"] = _display(row)
        row["year"] = row["last_updated"].year if row["last_updated"] else None
    return rows


def _current(rows):
    return next((row for row in rows if row["state"] == Edition.State.PUBLISHED), None)


def _last_modified(rows):
    return max(row["updated_at"] for row in rows)


def edition_queryset():
    return Edition.objects.select_related("profile__country", "profile__topic", "report")


def render_edition(request, edition, content, *, history=None, archived=False, preview=None):
    """The profile page of `edition`, its content given as rows (rendering.load_content).

    Also used by the staff preview (reports.public.preview), which passes any edition and no
    history: the page is then marked as a preview (a banner, noindex) and is never cached.
    """
    profile = edition.profile
    if preview is None:
        preview = history is None
    if history is None:
        history = list(
            Edition.objects.filter(profile=profile, state__in=READABLE)
            .order_by("-last_updated", "-published_at", "-id")
            .values(*HISTORY_FIELDS)
        )
        for row in history:
            row["display"] = _display(row)
            row["year"] = row["last_updated"].year if row["last_updated"] else None
    current = _current(history)
    earlier = [row for row in history if row["state"] != Edition.State.PUBLISHED]
    same_year = []
    if archived and edition.last_updated is not None:
        same_year = [
            row
            for row in earlier
            if row["year"] == edition.last_updated.year and row["id"] != edition.pk
        ]
    previous = None
    if current is not None and current["id"] == edition.pk and len(history) > 1:
        previous = history[1]
    profile_url = reverse("public:profile", args=[profile.country.slug, profile.topic.slug])
    permanent = profile_url
    if edition.last_updated is not None:
        permanent = reverse(
            "public:archived_edition",
            args=[profile.country.slug, profile.topic.slug, edition.last_updated.year, edition.pk],
        )
    canonical = profile_url if current is not None or not archived else permanent
    context = {
        "edition": edition,
        "country": profile.country,
        "topic": profile.topic,
        "archived": archived,
        "preview": preview,
        "current": current,
        "earlier": earlier,
        "same_year": same_year,
        "previous": previous,
        "canonical": request.build_absolute_uri(canonical),
        "permanent": request.build_absolute_uri(permanent),
        "description": describe(edition, profile),
        "figures": [
            {
                "url": reverse(
                    "public:figure", args=[profile.country.slug, profile.topic.slug, pk]
                ),
                "width": width,
                "height": height,
                "alt": alt,
                "caption": render_inline(caption),
            }
            for pk, width, height, alt, caption in content.figures
        ],
        **render_edition_content(content),
    }
    return render(request, "public/profile.html", context)


DESCRIPTION = 160  # characters, as search engines show them


def shorten(text, limit):
    """`text` in at most `limit` characters, cut between words (never inside one) with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def describe(edition, profile):
    """The page's meta description: its summary, else what it is."""
    summary = MARKERS.sub("", edition.summary or "")
    if summary.strip():
        return shorten(summary, DESCRIPTION)
    described = f"{profile.country.name}: {profile.topic.name}"
    if edition.last_updated_display:
        described += f", last updated {edition.last_updated_display}"
    return described + "."


LATEST = 40  # editions on the home page, grouped by topic
PER_TOPIC = 6


def _published_reports():
    return Report.objects.filter(
        Exists(Edition.objects.filter(report=OuterRef("pk"), state__in=READABLE))
    )


@require_safe
def home(request):
    """The latest yearly report with its key findings, then the latest updates by topic."""
    # A released report before one still in progress (whose editions may be published early).
    report = (
        _published_reports()
        .order_by(
            Case(When(state=Report.State.RELEASED, then=0), default=1),
            "-year",
            "-release_date",
            "series",
        )
        .first()
    )
    latest = (
        Edition.objects.public()
        .select_related("profile__country", "profile__topic")
        .order_by("-published_at", "-id")[:LATEST]
    )
    by_topic = {}  # the topic updated last first
    for edition in latest:
        by_topic.setdefault(edition.profile.topic, []).append(edition)
    return render(
        request,
        "public/home.html",
        {
            "report": report,
            "overview": render_text(report.overview.split("\n\n")[0]) if report else "",
            "topics": [(topic, editions[:PER_TOPIC]) for topic, editions in by_topic.items()],
        },
    )


@require_safe
def countries(request):
    """Every public country A–Z under its initial, with a jump list of the initials; a
    region filter (a plain GET form) narrows the list."""
    everyone = list(Country.objects.public().prefetch_related("treaty_statuses").order_by("name"))
    regions = sorted({c.region for c in everyone if c.region})
    region = request.GET.get("region", "")
    if region not in regions:
        region = ""
    shown = [c for c in everyone if not region or c.region == region]
    letters = [
        (letter, list(members)) for letter, members in groupby(shown, key=lambda c: initial(c.name))
    ]
    return render(
        request,
        "public/countries.html",
        {"letters": letters, "regions": regions, "region": region, "count": len(shown)},
    )


def initial(name):
    """The letter a name is filed under: "Côte d'Ivoire" under C."""
    first = fold(name[:1])
    return first.upper() if first.isalpha() else "#"


@require_safe
def country(request, country):
    """The country's profiles: each one's current edition, or the newest archived one of a
    profile with no current edition. A country with neither has no page (404)."""
    readable = (
        Edition.objects.filter(profile__country__slug=country, state__in=READABLE)
        .select_related("profile__country", "profile__topic", "report")
        .order_by(
            "profile_id",
            Case(When(state=Edition.State.PUBLISHED, then=0), default=1),
            "-last_updated",
            "-published_at",
            "-id",
        )
    )
    editions = []
    for _, group in groupby(readable, key=lambda e: e.profile_id):
        edition, *earlier = group
        edition.earlier = earlier
        edition.summary_html = render_text(MARKERS.sub("", edition.summary))
        for older in [edition, *earlier]:
            older.url = older.get_absolute_url()
        editions.append(edition)
    if not editions:
        raise Http404("Nothing of this country is published.")
    editions.sort(key=lambda e: e.profile.topic.position)
    editions.sort(key=lambda e: e.last_updated or datetime.date.min, reverse=True)
    country = editions[0].profile.country
    statuses = TreatyStatus.objects.filter(country=country).order_by("treaty")
    return render(
        request,
        "public/country.html",
        {"country": country, "editions": editions, "statuses": statuses},
    )


def _taken_offline(request, country, topic, rows=()):
    """The page of a profile whose edition was withdrawn with none current again: 410 Gone
    and a short notice, never a bare 404 (None when nothing of it was ever withdrawn)."""
    withdrawn = (
        Edition.objects.filter(
            profile__country__slug=country,
            profile__topic__slug=topic,
            state=Edition.State.WITHDRAWN,
        )
        .select_related("profile__country", "profile__topic")
        .order_by("-updated_at")
        .first()
    )
    if withdrawn is None:
        return None
    context = {"profile": withdrawn.profile, "withdrawn_at": withdrawn.updated_at, "rows": rows}
    return render(request, "public/gone.html", context, status=410)


@require_safe
def topic(request, topic):
    """Every country's current profile on one topic, by region, with the topic's feed."""
    found = Topic.objects.public().filter(slug=topic).first()
    if found is None:
        raise Http404("Nothing of this topic is published.")
    editions = list(
        Edition.objects.public()
        .filter(profile__topic=found)
        .select_related("profile__country", "profile__topic")
        # Countries without a region are listed as "Other", after every named region.
        .order_by(
            Case(When(profile__country__region="", then=1), default=0),
            "profile__country__region",
            "profile__country__name",
        )
    )
    regions = [
        (region or "Other", list(members))
        for region, members in groupby(editions, key=lambda e: e.profile.country.region)
    ]
    return render(
        request,
        "public/topic.html",
        {"topic": found, "regions": regions, "count": len(editions)},
    )


@require_safe
def profile(request, country, topic):
    def build():
        try:
            rows = _history(country, topic)
        except Http404:
            gone = _taken_offline(request, country, topic)
            if gone is None:
                raise
            return gone, None, None
        current = _current(rows)
        if current is None:
            gone = _taken_offline(request, country, topic, rows)
            if gone is None:
                raise Http404("This profile has no current edition.")
            return gone, None, None
        edition = edition_queryset().get(pk=current["id"])
        response = render_edition(request, edition, load_content(edition), history=rows)
        return response, _last_modified(rows), edition.profile_id

    return pagecache.cached_page(request, "profile", build)


def _archived_page(request, rows, row):
    edition = edition_queryset().get(pk=row["id"])
    response = render_edition(request, edition, load_content(edition), history=rows, archived=True)
    return response, _last_modified(rows), edition.profile_id


@require_safe
def profile_pdf(request, country, topic):
    """The current edition as a PDF (reports.public.pdf), cached like its page."""

    def build():
        rows = _history(country, topic)
        current = _current(rows)
        if current is None:
            raise Http404("This profile has no current edition.")
        return _pdf_of(request, current["id"], rows)

    return pagecache.cached_page(request, "pdf", build)


@require_safe
def archived_pdf(request, country, topic, year, edition_id):
    """An archived edition as a PDF."""

    def build():
        rows = _history(country, topic)
        row = next((row for row in rows if row["id"] == edition_id), None)
        if row is None or row["year"] != year or row["state"] == Edition.State.PUBLISHED:
            raise Http404("No such archived edition.")
        return _pdf_of(request, row["id"], rows, archived=True)

    return pagecache.cached_page(request, "pdf", build)


def _pdf_of(request, edition_id, rows, **options):
    """What pagecache.cached_page stores for an edition's PDF: its page rendered, as a PDF."""
    edition = edition_queryset().get(pk=edition_id)
    page = render_edition(request, edition, load_content(edition), history=rows, **options)
    return pdf_response(request, page), _last_modified(rows), edition.profile_id


@require_safe
def archived(request, country, topic, year):
    """The newest archived edition of a year; its banner links the others of that year."""

    def build():
        rows = _history(country, topic)
        current = _current(rows)
        in_year = [row for row in rows if row["year"] == year]
        if not in_year:
            raise Http404("No edition of that year.")
        older = [row for row in in_year if current is None or row["id"] != current["id"]]
        if not older:
            return redirect("public:profile", country, topic), None, None
        return _archived_page(request, rows, older[0])

    return pagecache.cached_page(request, "archived", build)


@require_safe
def archived_edition(request, country, topic, year, edition_id):
    """One archived edition at an address of its own, which stays valid once it is archived."""

    def build():
        rows = _history(country, topic)
        row = next((row for row in rows if row["id"] == edition_id), None)
        if row is None or row["year"] != year:
            raise Http404("No such edition.")
        if row["state"] == Edition.State.PUBLISHED:
            return redirect("public:profile", country, topic), None, None
        return _archived_page(request, rows, row)

    return pagecache.cached_page(request, "archived", build)


def snapshot(edition):
    return snapshot_of_edition(edition, label=edition.last_updated_display)


@require_safe
def changes(request, country, topic):
    def build():
        rows = _history(country, topic)
        current = _current(rows)
        if current is None:
            raise Http404("This profile has no current edition.")
        position = rows.index(current)
        previous = rows[position + 1] if position + 1 < len(rows) else None
        ids = [current["id"]] + ([previous["id"]] if previous else [])
        editions = {
            edition.pk: edition
            for edition in Edition.objects.filter(pk__in=ids)
            .select_related("profile__country", "profile__topic")
            .prefetch_related("overview_facts", "sections", "footnotes", "figures")
        }
        new = editions[current["id"]]
        changes = None
        if previous:
            changes = public_changes(compare(snapshot(editions[previous["id"]]), snapshot(new)))
        context = {
            "edition": new,
            "country": new.profile.country,
            "topic": new.profile.topic,
            "current": current,
            "previous": previous,
            "changes": changes,
        }
        page = render(request, "public/changes.html", context)
        return page, _last_modified(rows), new.profile_id

    return pagecache.cached_page(request, "changes", build)


@require_safe
def reports(request):
    reports = (
        Report.objects.annotate(
            editions_count=Count("editions", filter=Q(editions__state__in=READABLE))
        )
        .filter(editions_count__gt=0)
        .order_by("-year", "series")
    )
    return render(request, "public/reports.html", {"reports": reports})


@require_safe
def report(request, series, year):
    """A yearly report: its overview and findings, its PDF, its chapters, then its profiles by
    topic and, within each, by region, with a jump list of the chapters and the topics."""
    report = get_object_or_404(Report, series_slug=series, year=year)
    editions = list(
        report.editions.filter(state__in=READABLE)
        .select_related("profile__country", "profile__topic")
        .order_by(
            "profile__topic__position",
            "profile__topic__name",
            Case(When(profile__country__region="", then=1), default=0),
            "profile__country__region",
            "profile__country__name",
        )
    )
    if not editions:
        raise Http404("Nothing of this report is published.")
    for edition in editions:
        edition.url = edition.get_absolute_url()
    topics = []
    for topic, items in groupby(editions, lambda e: e.profile.topic):
        items = list(items)
        regions = [
            (region or "Other", list(members))
            for region, members in groupby(items, lambda e: e.profile.country.region)
        ]
        topics.append((topic, len(items), regions))
    # The report is public (it has a readable edition): its published chapters are too.
    chapters = (
        report.chapters.filter(published=True)
        .only("slug", "title", "report")
        .order_by("position", "title")
    )
    return render(
        request,
        "public/report.html",
        {
            "report": report,
            "overview": render_text(report.overview),
            "chapters": list(chapters),
            "topics": topics,
            "count": len(editions),
            "pdf_size": readable_size(report.pdf_size),
        },
    )


@require_safe
def chapter(request, series, year, slug):
    """One chapter of a published report, with the report's other chapters to move on to."""
    chapters = list(
        Chapter.objects.public()
        .filter(report__series_slug=series, report__year=year)
        .select_related("report")
        .order_by("position", "title")
    )
    found = next((c for c in chapters if c.slug == slug), None)
    if found is None:
        raise Http404("No such chapter.")
    at = chapters.index(found)
    return render(
        request,
        "public/chapter.html",
        {
            "chapter": found,
            "report": found.report,
            "canonical": request.build_absolute_uri(found.get_absolute_url()),
            "body": render_text(found.body),
            "chapters": chapters,
            "previous": chapters[at - 1] if at > 0 else None,
            "next": chapters[at + 1] if at + 1 < len(chapters) else None,
        },
    )


TREATIES = TreatyStatus.Treaty.choices
STATUSES = TreatyStatus.Status.choices


def _treaty_rows(request):
    treaty = request.GET.get("treaty", "")
    status = request.GET.get("status", "")
    region = request.GET.get("region", "")
    # The table is data about treaties: it names every state it has data on, and links those
    # with a page (CountryQuerySet.public) to it.
    countries = list(
        Country.objects.with_is_public()
        .filter(Q(is_public=True) | Exists(TreatyStatus.objects.filter(country=OuterRef("pk"))))
        .prefetch_related("treaty_statuses")
        .order_by("name")
    )
    regions = sorted({c.region for c in countries if c.region})
    rows = []
    for country in countries:
        by_treaty = {s.treaty: s for s in country.treaty_statuses.all()}
        if region and country.region != region:
            continue
        if treaty in dict(TREATIES):
            found = by_treaty.get(treaty)
            if found is None or (status in dict(STATUSES) and found.status != status):
                continue
        elif status in dict(STATUSES) and not any(s.status == status for s in by_treaty.values()):
            continue
        rows.append((country, [by_treaty.get(code) for code, _ in TREATIES]))
    filters = {"treaty": treaty, "status": status, "region": region}
    return rows, regions, filters


# A treaty column sorts States Parties first, then signatories, then the others, then no data.
STATUS_ORDER = {code: n for n, (code, _) in enumerate(STATUSES)}


def _sorted(rows, sort):
    """Rows in the order a column header asked for (``country``, a treaty code; "-" first
    for descending), by country name within a status."""
    key = sort.removeprefix("-")
    codes = [code for code, _ in TREATIES]
    if key in codes:
        column = codes.index(key)

        def rank(row):
            status = row[1][column]
            return STATUS_ORDER.get(status.status, len(STATUS_ORDER)) if status else 99

        rows = sorted(rows, key=lambda row: row[0].name)
        return sorted(rows, key=rank, reverse=sort.startswith("-"))
    return sorted(rows, key=lambda row: row[0].name, reverse=sort == "-country")


def _status_counts(rows):
    """For each treaty: (name, [(status name, count)]) over the rows shown."""
    counts = []
    for column, (_, name) in enumerate(TREATIES):
        found = Counter(statuses[column].status for _, statuses in rows if statuses[column])
        counts.append((name, [(label, found[code]) for code, label in STATUSES if found[code]]))
    return counts


def _status_text(status):
    if status is None:
        return ""
    return status.get_status_display()


@require_safe
def treaty_status(request):
    rows, regions, filters = _treaty_rows(request)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="treaty-status.csv"'
        writer = csv.writer(response)
        header = ["country", "iso_code", "region"]
        for code, _ in TREATIES:
            header += [f"{code}_status", f"{code}_signed", f"{code}_joined", f"{code}_joined_by"]
        writer.writerow(header)
        for country, statuses in rows:
            line = [country.name, country.iso_code, country.region]
            for status in statuses:
                if status is None:
                    line += ["", "", "", ""]
                else:
                    line += [
                        status.get_status_display(),
                        status.signed_on.isoformat() if status.signed_on else "",
                        status.consent_on.isoformat() if status.consent_on else "",
                        status.get_consent_by_display() if status.consent_by else "",
                    ]
            writer.writerow(_csv_safe(line))
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    sort = request.GET.get("sort", "country")
    rows = _sorted(rows, sort)
    unsorted = request.GET.copy()
    unsorted.pop("sort", None)
    base = unsorted.urlencode()
    columns = []
    for key, name in [("country", "Country"), *TREATIES]:
        ascending = sort != key
        columns.append(
            {
                "name": name,
                "url": f"?{base}{'&' if base else ''}sort={'' if ascending else '-'}{key}",
                "sorted": "ascending" if sort == key else "descending" if sort == f"-{key}" else "",
            }
        )
    dates = [s.updated_at for _, statuses in rows for s in statuses if s is not None]
    map_treaty = filters["treaty"] or TreatyStatus.Treaty.MINE_BAN_TREATY
    return render(
        request,
        "public/treaty_status.html",
        {
            "rows": rows,
            "regions": regions,
            "filters": filters,
            "treaties": TREATIES,
            "statuses": STATUSES,
            "columns": columns,
            "counts": _status_counts(rows),
            "as_of": max(dates) if dates else None,
            "map_treaty": map_treaty,
            "map_name": dict(TREATIES)[map_treaty],
            "map_counts": next(
                found for name, found in _status_counts(rows) if name == dict(TREATIES)[map_treaty]
            ),
            "legend": [(worldmap.FILLS[code], label) for code, label in STATUSES]
            + [(worldmap.FILLS[None], "No data")],
            "csv_query": query.urlencode(),
        },
    )


@gzip_page  # three quarters of a megabyte of shapes, a quarter once compressed
@require_safe
def treaty_map(request):
    """The world map of one treaty's status (``?treaty=``, the Mine Ban Treaty by default),
    as an SVG image for the treaty status page."""
    codes = dict(TREATIES)
    treaty = request.GET.get("treaty", "")
    if treaty not in codes:
        treaty = TreatyStatus.Treaty.MINE_BAN_TREATY
    countries = Country.objects.exclude(iso_code="").prefetch_related("treaty_statuses")
    svg = worldmap.treaty_map(countries, treaty, f"World map: status under the {codes[treaty]}")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=600"
    return response


def _csv_safe(values):
    """Cells starting with = + - @ are read as formulas by spreadsheets: quote them."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in values]


@require_safe
def page(request, url):
    """A small page edited in the admin whose URL starts with /pages/."""
    return flatpage_views.flatpage(request, f"/pages/{url}")


def server_error(request):
    """The 500 page: the publication's identity from settings, nothing from the database
    (which may be why the request failed)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"publication": settings.PUBLICATION}))


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('public:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def search(request):
    filters = Filters.from_query(request.GET)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    per_page = 20
    known = public_countries()
    lead, rest = None, filters.q
    if filters.q and not filters.country:
        # A country's name leads to it; the other words are searched, its editions first.
        lead, rest = named_country(filters.q, known)
    if lead is not None and not rest:
        results = country_editions(lead, filters) if page == 1 else []
    else:
        words = dataclasses.replace(filters, q=rest)
        results = run_search(words, limit=per_page + 1, offset=(page - 1) * per_page, lead=lead)
    hits = list(results)
    has_next = len(hits) > per_page
    hits = hits[:per_page]
    for hit in hits:
        hit.url = hit.edition.get_absolute_url() + hit.anchor
    # Few results and a word near a country's name: offer the name.
    suggestion = ""
    if filters.q and lead is None and page == 1 and len(results) < 3:
        suggestion = did_you_mean(filters.q, known)
    topics = Topic.objects.public().order_by("position", "name").values_list("slug", "name")
    countries = [(row.slug, row.name) for row in known]
    regions = [(region, region) for region in sorted({row.region for row in known if row.region})]
    query = request.GET.copy()
    query.pop("page", None)
    suggested = request.GET.copy()
    suggested.pop("page", None)
    suggested["q"] = suggestion
    return render(
        request,
        "public/search.html",
        {
            "filters": filters,
            "hits": hits,
            "total": getattr(results, "total", 0),
            "among": getattr(results, "among", None),
            "lead": lead,
            "suggestion": suggestion,
            "suggestion_query": suggested.urlencode(),
            "page": page,
            "has_next": has_next,
            "first": (page - 1) * per_page + 1,
            "last": (page - 1) * per_page + len(hits),
            "topics": topics,
            "countries": countries,
            "regions": regions,
            "query": query.urlencode(),
        },
    )
