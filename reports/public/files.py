"""The attached files on the public site: a report's PDF and an edition's figures, served by
views that check publication first (reports.attachments stores them under names nobody can
guess, and the web server does not serve MEDIA_ROOT).

- A report's PDF: only while the report is on the public site (a readable edition of it);
  staff who read reports in the admin check it before (privately, never cached).
- A figure: only while its edition is readable (published or archived); a draft's, an
  approved but unpublished or a withdrawn edition's figure answers 404 like any unknown
  address. Staff who may preview editions (reports.public.preview) see every figure, so the
  preview shows them too; those responses are private and never cached.

Every file goes out with the content type of its checked kind, never sniffed, and a policy
that lets nothing in it run.
"""

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from ..attachments import content_type
from ..editions.states import READABLE
from ..models import Edition, Figure, Report

PUBLIC_MAX_AGE = 300  # seconds: a withdrawn edition's files leave shared caches soon


def may_preview(user):
    return user.is_active and user.is_staff and user.has_perm("reports.view_edition")


def file_response(field_file, *, filename, public, attachment=False):
    try:
        stream = field_file.storage.open(field_file.name, "rb")
    except (OSError, SuspiciousFileOperation) as missing:
        # A name stored without its file (a restored database without MEDIA_ROOT), or one
        # pointing outside the storage: nothing to serve.
        raise Http404("The file is missing.") from missing
    response = FileResponse(
        stream,
        content_type=content_type(field_file.name),
        as_attachment=attachment,
        filename=filename,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, no-store"
    )
    return response


@require_safe
def report_pdf(request, series, year):
    report = (
        Report.objects.filter(series_slug=series, year=year)
        .annotate(public=Exists(Edition.objects.filter(report=OuterRef("pk"), state__in=READABLE)))
        .exclude(pdf="")
        .only("pdf")
        .first()
    )
    if report is None or not (report.public or may_check_report(request.user)):
        raise Http404("This report has no published PDF.")
    return file_response(
        report.pdf, filename=f"{series}-{year}.pdf", public=report.public, attachment=True
    )


def may_check_report(user):
    """Staff who read reports in the admin check its PDF before the report is public."""
    return user.is_active and user.is_staff and user.has_perm("reports.view_report")


@require_safe
def figure(request, country, topic, figure_id):
    row = (
        Figure.objects.filter(
            pk=figure_id,
            edition__profile__country__slug=country,
            edition__profile__topic__slug=topic,
        )
        .select_related("edition")
        .only("image", "width", "height", "edition__state")
        .first()
    )
    if row is None:
        raise Http404("No such figure.")
    public = row.edition.state in READABLE
    if not public and not may_preview(request.user):
        raise Http404("No such figure.")
    name = row.image.name.rsplit("/", 1)[-1]
    return file_response(row.image, filename=name, public=public)
