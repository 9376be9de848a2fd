"""The editorial workflow in the admin: buttons, history, compare, revert, dashboard, and the
optimistic-concurrency check of the edition form. Every state change goes through
reports.editions.workflow; this module only translates requests and messages.
"""

import datetime

import reversion
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Max, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..citations import citation_problems
from ..diff import compare, snapshot_of_edition, snapshot_of_revision
from ..models import Edition, edition_refusal
from . import states, workflow
from .actions import lock, lock_editions
from .queryset import OVERDUE_GRACE

State = Edition.State
TOKEN_FIELDS = ["version_token", "loaded_revision"]


def latest_revision_id(edition):
    version = workflow.edition_versions(edition).only("revision_id").first()
    return version.revision_id if version else None


class EditionForm(forms.ModelForm):
    """The edition form carries the version it was loaded at; a stale save is refused."""

    version_token = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    conflict = None  # an EditionDiff of what someone else changed, when the token is stale

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version_token", self.instance.version)
            self.initial.setdefault("loaded_revision", latest_revision_id(self.instance))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._check_token(cleaned)
        else:
            self._check_new(cleaned)
        return cleaned

    def _check_new(self, cleaned):
        profile = cleaned.get("profile")
        if profile is None:
            return
        if profile.editions.open().exists():
            raise ValidationError(
                f"{profile} already has an open edition; continue that one.", code="open"
            )
        if profile.editions.public().exists():
            raise ValidationError(
                f"{profile} has a published edition: open it and use “Start a new draft” so "
                "the draft begins as a copy of it.",
                code="published",
            )

    def _check_token(self, cleaned):
        # Lock the rows until this request's transaction ends (the admin view is atomic), so
        # two saves cannot both pass the check.
        current = lock(self.instance)
        token = cleaned.get("version_token")
        if token == current.version:
            return
        loaded = cleaned.get("loaded_revision")
        self.conflict = self._what_changed(current, loaded)
        self.conflict_revisions = list(
            workflow.edition_versions(current).filter(revision_id__gt=loaded or 0)[:10]
        )
        # The input stays on the form; saving again now deliberately keeps this version.
        self.data = self.data.copy()
        self.data[self.add_prefix("version_token")] = current.version
        self.data[self.add_prefix("loaded_revision")] = latest_revision_id(current) or ""
        raise ValidationError(
            "Someone else saved this edition while you were editing it (version "
            f"{token} → {current.version}). Nothing was saved. Your input is still on the "
            "form: compare it with their changes shown above, then save again to keep yours.",
            code="stale",
        )

    @staticmethod
    def _what_changed(current, loaded_revision_id):
        from reversion.models import Revision

        revision = Revision.objects.filter(pk=loaded_revision_id).first()
        if revision is None:
            return None
        return compare(
            snapshot_of_revision(revision, current.pk, "When you opened the form"),
            snapshot_of_edition(current, "Saved since by someone else"),
        )


class _LoadedRowChoice(forms.ModelChoiceField):
    """A row's hidden id, found among the rows its formset loaded rather than by a query of
    its own (Django's default: one query per row, 150 for a 150-note edition's form)."""

    def __init__(self, formset, *args, **kwargs):
        self.formset = formset
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            pk = self.formset.model._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        row = self.formset._existing_object(pk) if pk is not None else None
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row


class ContentFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        field = form.fields.get(name)
        if type(field) is forms.ModelChoiceField:
            form.fields[name] = _LoadedRowChoice(
                self,
                queryset=field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )


def refuse_post_to_uneditable(model_admin, request, object_id, edition_of):
    """A form posted for content whose edition stopped being editable after the page was
    loaded (a colleague submitted it meanwhile) is answered with a message, as every refusal
    is, not with a bare 403 page; nothing is saved. None when the post may go on."""
    if request.method != "POST" or object_id is None:
        return None
    if not model_admin.has_change_permission(request):
        return None  # not a matter of the edition's state: the admin's own 403
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        return None
    edition = edition_of(obj)
    refusal = edition_refusal([edition.pk])
    if refusal is None:
        return None
    messages.error(
        request,
        f"Nothing was saved: the edition is {edition.get_state_display().lower()} now. {refusal}",
    )
    return HttpResponseRedirect(request.get_full_path())


class ReadOnlyWhenFrozenInline:
    """Content inlines: editable only while their edition is a draft or has changes requested."""

    formset = ContentFormSet

    def _editable(self, obj):
        # obj is the parent: an edition, or a footnote (the citations inline)
        edition = obj.edition if hasattr(obj, "edition_id") else obj
        return edition is None or edition.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class EditionContentAdminMixin:
    """Stand-alone content pages (a section, a footnote, a citation): read-only unless their
    edition is editable. A row can only be added to, or moved onto, an editable edition (the
    model's clean() says why not, and the database refuses it anyway). A save is part of the
    edition's history: the edition goes into its revision and open edition forms go stale.
    django-reversion's own revert and recover pages are replaced by the edition's History,
    which reverts a whole draft through the lifecycle."""

    def _edition_of(self, obj):
        return obj.footnote.edition if hasattr(obj, "footnote") else obj.edition

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._edition_of(obj).is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._edition_of(obj).is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition":
            kwargs["queryset"] = Edition.objects.editable()
        elif db_field.name == "footnote":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                edition__state__in=states.EDITABLE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        # A bulk delete runs no form: the database would refuse rows of frozen editions with
        # a whole-page error.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refused = refuse_post_to_uneditable(self, request, object_id, self._edition_of)
        return refused or super().changeform_view(request, object_id, form_url, extra_context)

    def _lock_editions(self, obj):
        """Lock the editions a save of `obj` writes (its own, and the one it leaves when
        moved) before the row is written, as every writer does: profile, then edition.

        Writing the row first locks it, and the edition is written after (its version): a
        writer already holding the edition and about to write this row (the edition form
        saving its inlines, a revert) then waited for this save while it waited for them, a
        deadlock, a server error in the admin. Now the save queues behind them and, once they
        are done, the database's check sees the edition's state as they left it. (A delete
        writes only its row, and waits for nobody while holding it.)
        """
        ids = {self._edition_of(obj).pk}
        if obj.pk is not None:
            field = "footnote__edition" if hasattr(obj, "footnote_id") else "edition"
            ids.add(
                self.model._base_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
            )
        lock_editions(Edition.objects.filter(pk__in=ids))

    def save_model(self, request, obj, form, change):
        self._lock_editions(obj)
        super().save_model(request, obj, form, change)
        edition = self._edition_of(obj)
        Edition.objects.filter(pk=edition.pk).update(version=F("version") + 1)
        reversion.add_to_revision(edition)

    def _to_edition_history(self, request, version_id):
        from reversion.models import Version

        messages.info(
            request,
            "Content is reverted a whole edition at a time, from the edition's History.",
        )
        version = Version.objects.filter(pk=version_id).first()
        model = self.model
        row = model._base_manager.filter(pk=version.object_id).first() if version else None
        if row is None:
            return HttpResponseRedirect(reverse("admin:reports_edition_changelist"))
        edition = self._edition_of(row)
        return HttpResponseRedirect(reverse("admin:reports_edition_history", args=[edition.pk]))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        return self._to_edition_history(request, version_id)

    def recover_view(self, request, version_id, extra_context=None):
        return self._to_edition_history(request, version_id)

    def recoverlist_view(self, request, extra_context=None):
        return self._to_edition_history(request, None)


class EditionWorkflowAdminMixin:
    """Mixed into EditionAdmin (before VersionAdmin)."""

    form = EditionForm
    change_form_template = "admin/reports/edition/change_form.html"

    # --- the form ----------------------------------------------------------------------

    def get_actions(self, request):
        # A bulk delete would bypass the model's refusal to delete published editions.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refused = refuse_post_to_uneditable(self, request, object_id, lambda edition: edition)
        return refused or super().changeform_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete of a content row's edition offers only editions it may be put on.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "edition" and request.GET.get("model_name") in (
            "section",
            "overviewfact",
            "footnote",
        ):
            queryset = queryset.editable()
        return queryset, distinct

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_editable:
            name, options = fieldsets[0]
            fieldsets = [
                (name, {**options, "fields": [*options["fields"], *TOKEN_FIELDS]}),
                *fieldsets[1:],
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["profile", "based_on", "publish_at"]
        return readonly

    def delete_model(self, request, obj):
        # The draft's rows are deleted first, then the draft: locked first, as by every writer,
        # or a colleague's save of the edition form waits for those rows while this waits for
        # the edition they hold (a deadlock).
        lock(obj)
        super().delete_model(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            workflow.start_draft(obj.profile, request.user, instance=obj)
            return
        obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The revision holds the edition as it now stands, inlines saved.
        reversion.add_to_revision(form.instance)

    def save_formset(self, request, form, formset, change):
        # Positions are unique per edition and rows are saved one by one, so swapping two
        # would collide halfway; rows whose position changed are first parked past the end.
        if "position" in formset.form.base_fields:
            moved = [
                f.instance.pk
                for f in formset.forms
                if f.instance.pk and "position" in f.changed_data and f not in formset.deleted_forms
            ]
            if moved:
                rows = formset.model.objects.filter(edition=form.instance)
                end = rows.aggregate(end=Max("position"))["end"] or 0
                for offset, pk in enumerate(moved, start=1):
                    rows.filter(pk=pk).update(position=end + offset)
        super().save_formset(request, form, formset, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form if context.get("adminform") else None
        if hasattr(form, "conflict_revisions"):
            context["conflict"] = form.conflict
            context["conflict_revisions"] = form.conflict_revisions
            context["stale"] = True
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request, edition):
        actions = workflow.allowed_actions(edition, request.user)
        show_problems = edition.state in (*states.EDITABLE, State.IN_REVIEW)
        return {
            "workflow_actions": actions,
            "citation_problems": citation_problems(edition) if show_problems else [],
            "citations_checked": show_problems,
            "workflow_events": list(edition.events.select_related("actor")[:8]),
            "can_start_draft": (
                edition.state == State.PUBLISHED
                and request.user.has_perm(workflow.START_PERMISSION)
                and not edition.profile.editions.open().exists()
            ),
            "open_edition": edition.profile.editions.open().exclude(pk=edition.pk).first(),
            "preview_url": reverse("edition_preview", args=[edition.pk]),
            "compare_url": reverse("admin:reports_edition_compare", args=[edition.pk]),
            "history_url": reverse("admin:reports_edition_history", args=[edition.pk]),
        }

    # --- URLs ----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="reports_edition_dashboard"),
            path(
                "<int:object_id>/workflow/<str:action>/",
                wrap(self.workflow_view),
                name="reports_edition_workflow",
            ),
            path(
                "<int:object_id>/start-draft/",
                wrap(self.start_draft_view),
                name="reports_edition_start_draft",
            ),
            path(
                "<int:object_id>/compare/", wrap(self.compare_view), name="reports_edition_compare"
            ),
            path(
                "<int:object_id>/revert/<int:revision_id>/",
                wrap(self.revert_view),
                name="reports_edition_revert",
            ),
            *super().get_urls(),
        ]

    def _edition(self, request, object_id):
        edition = get_object_or_404(
            Edition.objects.select_related("profile__country", "profile__topic"), pk=object_id
        )
        if not self.has_view_or_change_permission(request, edition):
            raise PermissionDenied
        return edition

    def _back(self, edition):
        return HttpResponseRedirect(reverse("admin:reports_edition_change", args=[edition.pk]))

    def workflow_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        comment = request.POST.get("comment", "")
        at = None
        if request.POST.get("at"):
            at = parse_datetime(request.POST["at"])
            if at is None:
                messages.error(request, "Give the date and time as YYYY-MM-DD HH:MM.")
                return self._back(edition)
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        try:
            workflow.run(action, edition, request.user, comment, at=at)
        except workflow.CitationErrors as exc:
            messages.error(
                request,
                f"Approval refused: fix the {len(exc.problems)} citation "
                "problem(s) listed on this page first.",
            )
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            label = workflow.ACTIONS[action].label
            messages.success(
                request, f"{label}: done. The edition is now {edition.get_state_display().lower()}."
            )
        return self._back(edition)

    def start_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        try:
            draft = workflow.start_draft(edition.profile, request.user)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return self._back(edition)
        messages.success(request, "A new draft was started as a copy of the published edition.")
        return self._back(draft)

    def revert_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        try:
            workflow.revert(edition, revision_id, request.user)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The draft was reverted; the revert is a new revision.")
        return self._back(edition)

    def history_view(self, request, object_id, extra_context=None):
        edition = self._edition(request, object_id)
        versions = list(workflow.edition_versions(edition))
        for newer, older in zip(versions, versions[1:], strict=False):
            newer.previous_revision_id = older.revision_id
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History: {edition}",
            "subtitle": None,
            "object": edition,
            "original": edition,
            "versions": versions,
            "events": list(edition.events.select_related("actor")),
            "can_revert": workflow.may_edit(edition, request.user),
            "compare_url": reverse("admin:reports_edition_compare", args=[edition.pk]),
        }
        return TemplateResponse(request, "admin/reports/edition/history.html", context)

    # Restoring a deleted edition from reversion would skip the workflow's rules (states,
    # one open edition per profile); a profile gets a new draft through "start a draft".
    change_list_template = "admin/change_list.html"

    def recoverlist_view(self, request, extra_context=None):
        messages.error(
            request,
            "Deleted editions are not restored; start a new draft from the profile instead.",
        )
        return HttpResponseRedirect(reverse("admin:reports_edition_changelist"))

    def recover_view(self, request, version_id, extra_context=None):
        return self.recoverlist_view(request)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion's own "revert via the form" page would bypass the workflow's checks.
        edition = self._edition(request, object_id)
        version = get_object_or_404(workflow.edition_versions(edition), pk=version_id)
        url = reverse("admin:reports_edition_compare", args=[edition.pk])
        return HttpResponseRedirect(f"{url}?from={version.revision_id}&to=current")

    def compare_view(self, request, object_id):
        edition = self._edition(request, object_id)
        versions = list(workflow.edition_versions(edition))
        revisions = {v.revision_id: v.revision for v in versions}
        others = list(
            edition.profile.editions.exclude(pk=edition.pk).order_by("-last_updated", "-pk")
        )
        current = snapshot_of_edition(edition, f"Current ({edition.get_state_display().lower()})")

        def revision_snapshot(value):
            revision = revisions.get(int(value)) if str(value).isdigit() else None
            if revision is None:
                return None
            when = timezone.localtime(revision.date_created)
            return snapshot_of_revision(
                revision, edition.pk, f"Revision #{revision.pk}, {when:%Y-%m-%d %H:%M}"
            )

        old = new = None
        other_id = request.GET.get("edition")
        if other_id:
            other = next((o for o in others if str(o.pk) == other_id), None)
            if other is not None:
                old = snapshot_of_edition(
                    other,
                    f"Edition #{other.pk} ({other.get_state_display().lower()}, "
                    f"{other.last_updated_display or 'undated'})",
                )
                new = current
        elif request.GET.get("from"):
            old = revision_snapshot(request.GET["from"])
            to = request.GET.get("to", "current")
            new = current if to == "current" else revision_snapshot(to)
        elif edition.based_on_id and any(o.pk == edition.based_on_id for o in others):
            other = next(o for o in others if o.pk == edition.based_on_id)
            old = snapshot_of_edition(
                other, f"Edition #{other.pk} ({other.last_updated_display or 'undated'})"
            )
            new = current
        elif len(versions) > 1:
            old = revision_snapshot(versions[1].revision_id)
            new = current
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare: {edition}",
            "subtitle": None,
            "original": edition,
            "object": edition,
            "diff": compare(old, new) if old and new else None,
            "versions": versions,
            "others": others,
            "selected_from": request.GET.get("from", ""),
            "selected_to": request.GET.get("to", "current"),
            "selected_edition": other_id or "",
        }
        return TemplateResponse(request, "admin/reports/edition/compare.html", context)

    # --- dashboard -----------------------------------------------------------------------

    def dashboard_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Editorial dashboard",
            "subtitle": None,
            **dashboard(request.user),
        }
        return TemplateResponse(request, "admin/reports/edition/dashboard.html", context)


DASHBOARD_LIMIT = 25


def dashboard(user, now=None):
    """The dashboard's lists and counts: one aggregate query and one query per list."""
    now = now or timezone.now()
    overdue_before = now - OVERDUE_GRACE
    recent_since = now - datetime.timedelta(days=30)
    mine = Q(created_by=user)
    others_submission = Q(submitted_by__isnull=True) | ~Q(submitted_by=user)
    reviewer = user.is_superuser or user.has_perm("reports.review_edition")
    lists = {
        "my_drafts": Q(state__in=states.EDITABLE) & mine,
        "awaiting_review": (
            Q(state=State.IN_REVIEW) & others_submission
            if reviewer
            else Q(state=State.IN_REVIEW) & mine
        ),
        "changes_requested": Q(state=State.CHANGES_REQUESTED),
        "approved": Q(state=State.APPROVED),
        "overdue": Q(state=State.APPROVED, publish_at__lt=overdue_before),
        "recently_published": Q(state=State.PUBLISHED, published_at__gte=recent_since),
    }
    counts = Edition.objects.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in lists.items()}
    )
    base = Edition.objects.select_related(
        "profile__country", "profile__topic", "report", "created_by", "submitted_by"
    )
    order = {
        "my_drafts": ["-updated_at"],
        "awaiting_review": ["updated_at"],
        "changes_requested": ["-updated_at"],
        "approved": [F("publish_at").asc(nulls_last=True), "-updated_at"],
        "recently_published": ["-published_at"],
    }
    panels = []
    titles = {
        "my_drafts": "My drafts",
        "awaiting_review": "Awaiting my review" if reviewer else "My editions in review",
        "changes_requested": "Changes requested",
        "approved": "Approved and scheduled",
        "recently_published": "Recently published (30 days)",
    }
    for name, title in titles.items():
        rows = list(base.filter(lists[name]).order_by(*order[name])[:DASHBOARD_LIMIT])
        for row in rows:
            row.overdue = bool(
                row.state == State.APPROVED and row.publish_at and row.publish_at < overdue_before
            )
        panels.append({"name": name, "title": title, "count": counts[name], "rows": rows})
    return {"panels": panels, "counts": counts, "overdue_count": counts["overdue"], "now": now}
