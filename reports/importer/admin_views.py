"""The admin's "Import archive" page: upload, dry-run report, confirm, result."""

import shutil
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import get_valid_filename

from reports.editions.imports import ImportRefused, import_refusal
from reports.models import Edition

from . import limits
from .archive import DOCUMENT_SUFFIXES, iter_documents
from .service import NOT_PROFILE, ImportOptions, import_documents, summarise

TOKEN_SALT = "reports.import-archive"
TOKEN_MAX_AGE = 60 * 60


def staging_root():
    return Path(getattr(settings, "IMPORT_STAGING_DIR", settings.BASE_DIR / "var" / "imports"))


def max_upload_bytes():
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class UploadForm(forms.Form):
    files = MultipleFileField(
        help_text="Text or HTML pages (.txt, .html, .htm), Word files (.docx) or a .zip of them.",
    )
    country = forms.CharField(
        required=False, help_text="For documents that do not name their country."
    )
    year = forms.IntegerField(
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="For documents that give no date.",
    )
    state = forms.ChoiceField(
        choices=[
            (Edition.State.PUBLISHED, "Published (the archive)"),
            (Edition.State.DRAFT, "Draft"),
        ],
        initial=Edition.State.PUBLISHED,
        help_text="Published is for publishers; drafts go through review.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_state(self):
        state = self.cleaned_data["state"]
        reason = import_refusal(self.user, state)
        if reason:
            raise forms.ValidationError(reason)
        return state

    def clean_files(self):
        files = self.cleaned_data["files"]
        total = sum(upload.size for upload in files)
        if total > max_upload_bytes():
            raise forms.ValidationError(
                f"The upload is {total:,} bytes; the limit is {max_upload_bytes():,}."
            )
        for upload in files:
            suffix = Path(upload.name).suffix.lower()
            if suffix not in DOCUMENT_SUFFIXES | {".zip"}:
                raise forms.ValidationError(
                    f"{upload.name}: only .txt, .html, .htm, .docx and .zip files can be imported."
                )
        return files


def stage(files):
    """Keep the uploads until the user confirms; returns the staging key."""
    sweep()
    key = uuid.uuid4().hex
    folder = staging_root() / key
    folder.mkdir(parents=True)
    for index, upload in enumerate(files):
        target = folder / f"{index:04d}-{get_valid_filename(Path(upload.name).name)}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return key


def sweep():
    """Remove staged uploads whose preview can no longer be confirmed (older than its token)."""
    root = staging_root()
    if not root.is_dir():
        return
    expired = time.time() - TOKEN_MAX_AGE
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < expired:
            shutil.rmtree(folder, ignore_errors=True)


def staged_documents(key):
    folder = staging_root() / key
    documents = list(iter_documents([folder]))
    for document in documents:
        # Show the name the user uploaded, not the staging path.
        relative = Path(document.path).relative_to(folder).as_posix()
        document.path = relative.split("-", 1)[1] if "-" in relative else relative
    return documents


def options_from(data, actor=None, dry_run=False):
    return ImportOptions(
        dry_run=dry_run,
        state=data["state"],
        default_country=data.get("country") or None,
        default_year=data.get("year"),
        actor=actor,
    )


def import_archive_view(request):
    if not request.user.has_perm("reports.import_archive"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Import archive",
        "max_upload_bytes": max_upload_bytes(),
    }
    if request.method == "POST" and "token" in request.POST:
        return confirm(request, context)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        key = stage(form.cleaned_data["files"])
        data = {
            "key": key,
            # Only who previewed may confirm: the token is no bearer ticket to someone's upload.
            "user": request.user.pk,
            "state": form.cleaned_data["state"],
            "country": form.cleaned_data["country"],
            "year": form.cleaned_data["year"],
        }
        documents = staged_documents(key)
        if limits.in_background(documents):
            return in_background(key, data, request.user, dry_run=True)
        try:
            report = import_documents(documents, options_from(data, request.user, dry_run=True))
        except BaseException:
            shutil.rmtree(staging_root() / key, ignore_errors=True)  # no preview, no upload
            raise
        context.update(
            report=report,
            summary=summarise(report),
            dry_run=True,
            token=signing.dumps(data, salt=TOKEN_SALT),
        )
        return TemplateResponse(request, "admin/reports/import_archive.html", context)
    context["form"] = form
    return TemplateResponse(request, "admin/reports/import_archive.html", context)


def confirm(request, context):
    try:
        data = signing.loads(request.POST["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "This preview has expired or was altered; upload the files again.")
        return redirect("admin:reports_import_archive")
    if data.get("user") != request.user.pk:
        messages.error(request, "This preview was made by someone else; upload the files again.")
        return redirect("admin:reports_import_archive")
    folder = staging_root() / data["key"]
    if not folder.is_dir():
        messages.error(request, "These files were already imported or cancelled.")
        return redirect("admin:reports_import_archive")
    if "cancel" in request.POST:
        shutil.rmtree(folder, ignore_errors=True)
        messages.info(request, "Import cancelled; nothing was written.")
        return redirect("admin:reports_import_archive")
    documents = staged_documents(data["key"])
    if limits.in_background(documents):
        return in_background(data["key"], data, request.user, dry_run=False)
    try:
        report = import_documents(documents, options_from(data, request.user))
    except ImportRefused as refused:
        messages.error(request, f"Nothing was imported: {refused}")
        return redirect("admin:reports_import_archive")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = summarise(report)
    level = messages.WARNING if summary["rejected"] or summary[NOT_PROFILE] else messages.SUCCESS
    messages.add_message(
        request,
        level,
        f"{summary['imported']} imported, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {summary['rejected']} rejected, "
        f"{summary[NOT_PROFILE]} not a country profile.",
    )
    context.update(report=report, summary=summary, dry_run=False)
    return TemplateResponse(request, "admin/reports/import_archive.html", context)


def in_background(key, data, user, dry_run):
    """Hand the preview or the import to the task queue; its progress page follows it."""
    from .tasks import import_staged

    result = import_staged.enqueue(key, data, user.pk, dry_run)
    return redirect("admin:reports_import_job", result_id=result.id)


def import_job_view(request, result_id):
    """A background preview or import: its progress while it runs, then its report."""
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from .tasks import import_staged

    if not request.user.has_perm("reports.import_archive"):
        raise PermissionDenied
    try:
        result = import_staged.get_result(str(result_id))
    except TaskResultDoesNotExist:
        raise Http404("No such import.") from None
    key, data, user_id, dry_run = result.args
    if user_id != request.user.pk:
        raise Http404("No such import.")  # someone else's upload
    context = {
        **admin.site.each_context(request),
        "title": "Import archive",
        "dry_run": dry_run,
    }
    if result.status == TaskResultStatus.SUCCESSFUL:
        report = result.return_value
        context.update(report=report, summary=summarise(report))
        if dry_run:
            context["token"] = signing.dumps(data, salt=TOKEN_SALT)
    elif result.status == TaskResultStatus.FAILED:
        messages.error(request, "The import failed; nothing was written. Upload the files again.")
        return redirect("admin:reports_import_archive")
    else:
        context["job"] = result
    return TemplateResponse(request, "admin/reports/import_archive.html", context)
