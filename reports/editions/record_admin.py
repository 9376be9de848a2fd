"""The admin side of reports.editions.records: the change pages, list_editable, tabular
imports (see also reports.resources.PublicRecordResource) and reversion's revert of records
that published pages show all save through ChangePublicRecord; its refusals are form errors or
messages. And the read-only audit log."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.formats.base_formats import CSV, JSON, XLSX

from ..models import RecordChange
from .records import ChangePublicRecord, RecordChangeRefused, is_public

RECENT_CHANGES = 5


class PublicRecordCheckForm(forms.ModelForm):
    """Refuses, as a form error with the input kept, a change the actor may not make."""

    actor = None  # set per request by PublicRecordAdminMixin
    before = None  # the stored row when reversion's revert has already overwritten it

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is None or self._errors:
            return
        try:
            ChangePublicRecord(self.instance, self.actor, before=self.before).check()
        except RecordChangeRefused as refused:
            self.add_error(None, str(refused))


class PublicRecordForm(PublicRecordCheckForm):
    record_comment = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Recorded with the change; worth giving when published pages show it.",
    )


class PublicRecordAdminMixin:
    """Mixed into the admin of Country, Topic, Report, Profile and Source (before
    VersionAdmin)."""

    form = PublicRecordForm

    def _with_actor(self, form, request):
        attrs = {"actor": request.user, "before": getattr(request, "record_before", None)}
        return type(form.__name__, (form,), attrs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return self._with_actor(super().get_form(request, obj, change, **kwargs), request)

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", PublicRecordCheckForm)
        return self._with_actor(super().get_changelist_form(request, **kwargs), request)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return [name for name in fields if name != "record_comment"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("published_pages")
        return readonly

    @admin.display(description="published pages")
    def published_pages(self, obj):
        if not is_public(obj):
            return "Not shown on any published page: changes need no editor."
        shown = ", ".join(
            str(field.verbose_name) for field in ChangePublicRecord(obj, None).shown_fields()
        )
        recent = RecordChange.objects.for_record(obj).select_related("actor")[:RECENT_CHANGES]
        changes = format_html_join(
            "",
            "<li><a href='{}'>{}</a> by {}: {}</li>",
            (
                (
                    reverse("admin:reports_recordchange_change", args=[entry.pk]),
                    f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M}",
                    entry.actor or "—",
                    ", ".join(entry.changes),
                )
                for entry in recent
            ),
        )
        return format_html(
            "Shown on published pages: {}. Changes to these fields are recorded.{}",
            shown,
            format_html("<ul>{}</ul>", changes) if changes else "",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            locked = obj and ChangePublicRecord(obj, request.user).locked_fields()
            if locked and self.has_change_permission(request, obj):
                names = ", ".join(str(field.verbose_name) for field in locked)
                messages.warning(
                    request,
                    f"This {obj._meta.verbose_name} is shown on published pages: its {names} "
                    "need the permission “Can change records shown on published pages” "
                    "(editors and publishers) to change.",
                )
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except RecordChangeRefused as refused:  # it became public since the form was checked
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except RecordChangeRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reversion writes the old version over the stored row before its form is saved: the
        # change to check is from the row as it was.
        if request.method == "POST":
            request.record_before = self.get_object(request, unquote(object_id))
        return super().revision_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        obj._record_comment = form.cleaned_data.get("record_comment", "")
        ChangePublicRecord(
            obj,
            request.user,
            obj._record_comment,
            before=getattr(request, "record_before", None),
        ).execute()

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        comment = getattr(obj, "_record_comment", "")
        if comment and reversion.is_active():
            reversion.set_comment(f"{entry.get_change_message()} {comment}")
        return entry


TABULAR_FORMATS = [CSV, XLSX, JSON]


class PublicRecordImportMixin:
    """Tabular imports (django-import-export) of records that published pages show: a refused
    row stops the whole import with its message."""

    formats = TABULAR_FORMATS

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if not result.has_validation_errors():
            return super().process_result(result, request)
        for row in result.invalid_rows:
            self.message_user(
                request, f"Row {row.number}: {' '.join(row.error.messages)}", messages.ERROR
            )
        self.message_user(request, "Nothing was imported.", messages.ERROR)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )


class RecordChangeAdmin(admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ["at", "object_repr", "content_type", "changed_fields", "actor", "comment"]
    list_filter = ["content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "comment", "actor__username"]
    date_hierarchy = "at"
    fields = ["at", "actor", "record", "content_type", "object_id", "changes_table", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="changed")
    def changed_fields(self, entry):
        return ", ".join(entry.changes)

    @admin.display(description="record")
    def record(self, entry):
        model = entry.content_type.model_class()
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                args=[entry.object_id],
            )
        except (AttributeError, NoReverseMatch):
            return entry.object_repr
        if not model._base_manager.filter(pk=entry.object_id).exists():
            return f"{entry.object_repr} (deleted)"
        return format_html("<a href='{}'>{}</a>", url, entry.object_repr)

    @admin.display(description="changes")
    def changes_table(self, entry):
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((name, value.get("old"), value.get("new")) for name, value in entry.changes.items()),
        )
        return format_html(
            "<table><thead><tr><th>field</th><th>old</th><th>new</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )
