"""The editorial workflow in the admin: buttons, history, compare, revert, dashboard, and the
optimistic-concurrency check of the edition form. Every state change goes through
reports.editions.workflow; this module only translates requests and messages.
"""

import contextlib
import datetime

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sources.models import Footnote

from ..citations import citation_problems
from ..diff import compare, snapshot_of_edition, snapshot_of_revision
from ..models import (
    Edition,
    EditionEvent,
    Profile,
    edition_refusal,
    edition_refusal_for_state,
)
from . import citing, locks, states, workflow
from .actions import Withdraw, lock, lock_editions, may
from .drafts import Revert, newest_content
from .freeze import DELETE_MESSAGE
from .queryset import OVERDUE_GRACE

State = Edition.State
TOKEN_FIELDS = ["version_token", "loaded_revision"]
# The steps the edit form's own buttons take once it is saved ("Save and submit").
SAVE_AND = ("submit", "renumber")


def latest_revision_id(edition):
    version = workflow.edition_versions(edition).only("revision_id").first()
    return version.revision_id if version else None


class EditionForm(forms.ModelForm):
    """The edition form carries the version it was loaded at; a stale save is refused."""

    version_token = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    conflict = None  # an EditionDiff of what someone else changed, when the token is stale

    def full_clean(self):
        super().full_clean()
        if self.is_bound and hasattr(self, "cleaned_data"):
            show_hidden_errors(self)

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
        if profile.editions.frozen().exists():
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
            raise ValidationError(
                f"This {self.formset.model._meta.verbose_name} was removed since the page was "
                "loaded (a colleague reverted or changed the edition): reload the page and "
                "make your change again.",
                code="invalid_choice",
            )
        return row


def show_hidden_errors(form):
    """The admin's templates show no error of a hidden field (a row's id, the form's version
    token): repeat each as an error of the whole form, so that "Please correct the errors
    below" always has something below it (a row removed meanwhile by a colleague's revert)."""
    for name, field in form.fields.items():
        if field.widget.is_hidden and name in form.errors:
            for message in form.errors[name]:
                form.add_error(None, message)


class ContentRowForm(forms.ModelForm):
    """A row of an edition's content in the edition form."""

    def full_clean(self):
        super().full_clean()
        if self.is_bound and hasattr(self, "cleaned_data"):
            show_hidden_errors(self)

    def _post_clean(self):
        # A stored row left as it was loaded is not saved (the formset skips unchanged
        # forms): validating its model again would only re-check what is stored, for each of
        # a 150-note edition's rows on every save.
        if self.instance.pk is not None and not self.has_changed():
            return
        super()._post_clean()


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


STATE_PHRASES = {
    State.DRAFT: "a draft",
    State.IN_REVIEW: "now in review",
    State.CHANGES_REQUESTED: "now back with its author: changes requested",
    State.APPROVED: "now approved",
    State.PUBLISHED: "now published",
    State.SUPERSEDED: "now superseded (archived)",
    State.WITHDRAWN: "now withdrawn",
}


def state_phrase(edition):
    """Where a step left the edition, as a sentence can say it ("is now in review")."""
    phrase = STATE_PHRASES[edition.state]
    if edition.state == State.APPROVED and edition.publish_at:
        when = timezone.localtime(edition.publish_at)
        phrase += f", scheduled for {when:%Y-%m-%d %H:%M} ({when.tzname()})"
    return phrase


def nothing_changed(request, form, formsets):
    """Whether a change form was posted back with nothing changed (text is compared as
    stored: reports.models.normalise_text). Then nothing is written and no revision is
    recorded; the request remembers it for the response."""
    unchanged = not form.has_changed() and not any(f.has_changed() for f in formsets)
    request.nothing_changed = unchanged
    return unchanged


def unchanged_response(request):
    if not getattr(request, "nothing_changed", False):
        return None
    messages.info(request, "Nothing changed, so nothing was saved.")
    return HttpResponseRedirect(request.get_full_path())


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


def refuse_delete(model_admin, request, object_id, edition_of):
    """A delete the edition's state forbids says why, on the row's page, rather than the
    admin's bare "permission denied". None when the state is not the reason."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        return None
    edition = edition_of(obj)
    if edition is obj:
        if edition.state == State.DRAFT:
            return None
        reason = DELETE_MESSAGE
    else:
        reason = edition_refusal_for_state(edition.state)
        if reason is None:
            return None
    opts = model_admin.opts
    messages.error(request, f"Nothing was deleted: {reason}")
    return HttpResponseRedirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )


def changeform_or_refusal(
    model_admin, view, request, object_id, edition_of, form_url, extra_context
):
    """The change form, or the refusal of a post to an edition that is not editable: checked
    before the form, and again when the form finds the edition was locked meanwhile (a
    colleague submitted it between the two), so the post is a message, never a 403 page."""
    refused = refuse_post_to_uneditable(model_admin, request, object_id, edition_of)
    if refused:
        return refused
    try:
        return view(request, object_id, form_url, extra_context)
    except PermissionDenied:
        refused = refuse_post_to_uneditable(model_admin, request, object_id, edition_of)
        if refused:
            return refused
        raise


class ReadOnlyWhenFrozenInline:
    """Content inlines: editable only while their edition is a draft or has changes requested."""

    form = ContentRowForm
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

    def delete_view(self, request, object_id, extra_context=None):
        refused = refuse_delete(self, request, object_id, self._edition_of)
        return refused or super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        # A bulk delete runs no form: the database would refuse rows of frozen editions with
        # a whole-page error.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return changeform_or_refusal(
            self,
            super().changeform_view,
            request,
            object_id,
            self._edition_of,
            form_url,
            extra_context,
        )

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
        if change:
            return  # in save_related, once the inlines say whether anything changed
        self._save(request, obj, form, change)

    def _save(self, request, obj, form, change):
        self._lock_editions(obj)
        super().save_model(request, obj, form, change)
        edition = self._edition_of(obj)
        Edition.objects.filter(pk=edition.pk).update(version=F("version") + 1)
        reversion.add_to_revision(edition)

    def save_related(self, request, form, formsets, change):
        if change:
            if nothing_changed(request, form, formsets):
                return
            self._save(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)
        # A footnote's text names its sources, unless its citations were edited by hand.
        by_hand = any(formset.has_changed() for formset in formsets)
        if isinstance(form.instance, Footnote) and "text" in form.changed_data and not by_hand:
            links = citing.link(form.instance)
            messages.info(request, citing.describe(form.instance, links))

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "nothing_changed", False):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        return unchanged_response(request) or super().response_change(request, obj)

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

    def delete_view(self, request, object_id, extra_context=None):
        refused = refuse_delete(self, request, object_id, lambda edition: edition)
        return refused or super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        # A bulk delete would bypass the model's refusal to delete published editions.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return changeform_or_refusal(
            self,
            super().changeform_view,
            request,
            object_id,
            lambda edition: edition,
            form_url,
            extra_context,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # VersionAdmin records the save's revision around change_view: a step taken with the
        # save ("Save and submit") is taken after it, so that it refers to that revision.
        response = super().change_view(request, object_id, form_url, extra_context)
        saved = getattr(request, "save_and", None)
        if saved is not None:
            return self._save_and_act(request, saved, request.POST["_workflow"])
        return response

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
        # A change is saved in save_related, once the inlines say whether anything changed.

    @contextlib.contextmanager
    def create_revision(self, request):
        # The revision is one document of the whole edition, added by save_related once the
        # inlines are saved; reversion's own add when the edition row is saved would first
        # serialise the content as it was before them, only to be replaced.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # Django hands each inline formset its own copy of the posted data; nothing here
        # changes it, and copying a 150-note edition's ~3,000 fields three times is slow.
        if request.method != "POST":
            return super().get_formset_kwargs(request, obj, inline, prefix)
        return {
            "instance": obj,
            "prefix": prefix,
            "queryset": inline.get_queryset(request),
            "data": request.POST,
            "files": request.FILES,
            "save_as_new": "_saveasnew" in request.POST,
        }

    def save_related(self, request, form, formsets, change):
        if change:
            if nothing_changed(request, form, formsets):
                locks.release(form.instance, request.user)
                return
            form.instance.version += 1
            super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)
        # The revision holds the edition as it now stands, inlines saved.
        reversion.add_to_revision(form.instance)
        locks.release(form.instance, request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "nothing_changed", False):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if request.POST.get("_workflow"):
            # Taken once the save's revision is recorded (change_view).
            request.save_and = obj
            return self._back(obj)
        return unchanged_response(request) or super().response_change(request, obj)

    def _save_and_act(self, request, edition, action):
        """ "Save and submit": the form was saved (or had nothing to save), then the step is
        taken, so that nothing typed on the page is lost by taking it."""
        saved = "Nothing to save" if getattr(request, "nothing_changed", False) else "Saved"
        if action not in SAVE_AND:
            messages.error(request, f"{saved}; {action!r} cannot be taken from the edit form.")
            return self._back(edition)
        if action == "renumber":
            try:
                workflow.renumber(edition, request.user)
            except workflow.WorkflowError as exc:
                messages.error(request, f"{saved}, but the notes were not renumbered: {exc}")
            else:
                messages.success(
                    request, f"{saved}; notes renumbered in order of first appearance."
                )
            return self._back(edition)
        comment = request.POST.get("workflow_comment", "")
        try:
            workflow.run(action, edition, request.user, comment)
        except workflow.WorkflowError as exc:
            messages.error(request, f"{saved}, but not submitted: {exc}")
        else:
            messages.success(
                request, f"{saved}; submitted for review: the edition is {state_phrase(edition)}."
            )
        return self._back(edition)

    def save_formset(self, request, form, formset, change):
        # Positions are unique per edition and rows are saved one by one, so swapping two
        # would collide halfway; rows whose position changed are first parked past the end.
        # deleted_forms is computed anew on each access: read it once (a 150-note formset
        # asked it for every row, 22,500 checks).
        deleted = {id(f) for f in formset.deleted_forms}
        if "position" in formset.form.base_fields:
            moved = [
                f.instance.pk
                for f in formset.forms
                if f.instance.pk and "position" in f.changed_data and id(f) not in deleted
            ]
            if moved:
                rows = formset.model.objects.filter(edition=form.instance)
                end = rows.aggregate(end=Max("position"))["end"] or 0
                for offset, pk in enumerate(moved, start=1):
                    rows.filter(pk=pk).update(position=end + offset)
        super().save_formset(request, form, formset, change)
        if formset.model is Footnote:
            for row in formset.forms:
                if id(row) in deleted or "text" not in row.changed_data:
                    continue
                links = citing.link(row.instance)
                messages.info(request, citing.describe(row.instance, links))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form if context.get("adminform") else None
        if hasattr(form, "conflict_revisions"):
            context["conflict"] = form.conflict
            context["conflict_revisions"] = form.conflict_revisions
            context["stale"] = True
        if obj is not None:
            context.update(self.workflow_context(request, obj))
            context.update(self.editing_lock_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def editing_lock_context(self, request, edition):
        if not (edition.is_editable and self.has_change_permission(request, edition)):
            return {}
        # Opening the page shows who holds the lock; the page's script takes it at the first
        # change typed, so a reviewer landing on a draft after a step does not hold it.
        other = locks.holder(edition, request.user)
        return {
            "editing_other": other,
            "can_take_over": other is not None and locks.may_break(request.user),
            "editing_lock_url": reverse("admin:reports_edition_editing_lock", args=[edition.pk]),
            "editing_lock_renew_seconds": max(settings.EDITING_LOCK_TIMEOUT // 3, 5),
        }

    def workflow_context(self, request, edition):
        actions = workflow.allowed_actions(edition, request.user)
        attach_change_requests([edition])
        show_problems = edition.state in (*states.EDITABLE, State.IN_REVIEW)
        offered = {action.name for action in actions}
        withheld = [
            (action.label, refusal)
            for action in workflow.ACTIONS.values()
            if action.explain_when_withheld
            and action.name not in offered
            and edition.state in action.from_states
            and may(request.user, action.permission)
            and (refusal := action(edition, request.user).refusal(offering=True))
        ]
        return {
            "workflow_actions": actions,
            "withheld_actions": withheld,
            "citation_problems": citation_problems(edition) if show_problems else [],
            "uncited_notes": citing.uncited_notes(edition) if show_problems else [],
            "citations_checked": show_problems,
            "workflow_events": list(edition.events.select_related("actor")[:8]),
            "can_start_draft": (
                edition.is_frozen
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
                "<int:object_id>/editing-lock/",
                wrap(self.editing_lock_view),
                name="reports_edition_editing_lock",
            ),
            path(
                "<int:object_id>/withdraw/",
                wrap(self.withdraw_view),
                name="reports_edition_withdraw",
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
        options = {}
        if action == "withdraw":
            options["restore_previous"] = request.POST.get("after") != "offline"
        try:
            workflow.run(action, edition, request.user, comment, at=at, **options)
        except workflow.CitationErrors as exc:
            messages.error(
                request,
                f"Approval refused: fix the {len(exc.problems)} content or citation "
                "problem(s) listed on this page first.",
            )
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            label = workflow.ACTIONS[action].label
            messages.success(request, f"{label}: done. The edition is {state_phrase(edition)}.")
        return self._back(edition)

    def editing_lock_view(self, request, object_id):
        """POST: renew the edit page's soft lock (the page's script, as JSON), or take it over
        (`take_over`, a publisher's button)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        if not (edition.is_editable and self.has_change_permission(request, edition)):
            return JsonResponse({"held": False, "editable": False})
        take_over = "take_over" in request.POST
        if take_over and not locks.may_break(request.user):
            raise PermissionDenied
        mine, other = locks.acquire(edition, request.user, take_over=take_over)
        if take_over:
            messages.success(request, "You hold the editing lock now.")
            return self._back(edition)
        if other is not None:
            return JsonResponse(
                {
                    "held": False,
                    "holder": other.user.get_username(),
                    "since": timezone.localtime(other.since).strftime("%Y-%m-%d %H:%M %Z"),
                }
            )
        return JsonResponse({"held": True})

    def withdraw_view(self, request, object_id):
        """Withdrawing asks first: a reason, and what the public sees next (by default the
        edition this one superseded, current again; or nothing, the page answering 410)."""
        edition = self._edition(request, object_id)
        refusal = Withdraw(edition, request.user).refusal(offering=True)
        if refusal:
            messages.error(request, refusal)
            return self._back(edition)
        previous = (
            Edition.objects.archived()
            .filter(profile_id=edition.profile_id)
            .order_by("-last_updated", "-published_at", "-pk")
            .first()
        )
        reason = request.POST.get("comment", "").strip()
        after = request.POST.get("after", "restore" if previous else "offline")
        error = None
        if request.method == "POST":
            try:
                restore = after != "offline"
                workflow.withdraw(edition, request.user, reason, restore_previous=restore)
            except workflow.WorkflowError as exc:
                error = str(exc)
            else:
                if restore and previous is not None:
                    date = previous.last_updated_display or f"#{previous.pk}"
                    shown = f"the edition of {date} is current again"
                else:
                    shown = "the profile is offline: its public page answers 410 Gone"
                messages.success(request, f"Withdrawn: {shown}.")
                return self._back(edition)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Withdraw: {edition}",
            "subtitle": None,
            "object": edition,
            "original": edition,
            "previous": previous,
            "reason": reason,
            "after": after,
            "error": error,
        }
        return TemplateResponse(request, "admin/reports/edition/withdraw.html", context)

    def start_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = self._edition(request, object_id)
        base = edition if edition.is_frozen else None
        try:
            draft = workflow.start_draft(edition.profile, request.user, base=base)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return self._back(edition)
        copied = draft.based_on
        messages.success(
            request,
            f"A new draft was started as a copy of the edition of "
            f"{copied.last_updated_display or copied.pk} ({copied.get_state_display().lower()})."
            if copied
            else "A new, empty draft was started.",
        )
        return self._back(draft)

    def revert_view(self, request, object_id, revision_id):
        """A revert shows what it will change first (GET), and takes place on confirming it
        (POST); a refusal is a message on the edition's History, never an error page."""
        edition = self._edition(request, object_id)
        history = HttpResponseRedirect(reverse("admin:reports_edition_history", args=[edition.pk]))
        step = Revert(edition, revision_id, request.user)
        try:
            revision, _, _ = step.stored()
            refusal = step.refusal()
            if refusal:
                raise workflow.WorkflowError(refusal)
            if request.method == "POST":
                step.execute()
                messages.success(request, "The draft was reverted; the revert is a new revision.")
                return self._back(edition)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return history
        when = timezone.localtime(revision.date_created)
        diff = compare(
            snapshot_of_edition(edition, "Now"),
            snapshot_of_revision(
                revision, edition.pk, f"Revision #{revision.pk}, {when:%Y-%m-%d %H:%M}"
            ),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revert: {edition}",
            "subtitle": None,
            "object": edition,
            "original": edition,
            "revision": revision,
            "diff": diff,
        }
        return TemplateResponse(request, "admin/reports/edition/revert.html", context)

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
    attach_change_requests([row for p in panels for row in p["rows"]])
    return {"panels": panels, "counts": counts, "overdue_count": counts["overdue"], "now": now}


REQUEST_PREFIX = "Changes requested: "


def attach_change_requests(editions):
    """Give each edition whose changes are requested its `change_request`: the step that
    asked (who, when) with `request`, the reviewer's words. One query for all of them."""
    waiting = {e.pk: e for e in editions if e.state == State.CHANGES_REQUESTED}
    for edition in editions:
        edition.change_request = None
    if not waiting:
        return
    events = (
        EditionEvent.objects.filter(edition_id__in=waiting, action="request_changes")
        .select_related("actor")
        .order_by("edition_id", "-at", "-pk")
    )
    for event in events:
        edition = waiting[event.edition_id]
        if edition.change_request is None:
            event.request = event.comment.removeprefix(REQUEST_PREFIX)
            for same in (e for e in editions if e.pk == edition.pk):
                same.change_request = event


def _edition_of_profile(order):
    return Edition.objects.filter(profile=OuterRef("pk")).order_by(*order)


# A profile's state as the editors see it: its edition in progress if it has one, else its
# published one, else the newest of the others (withdrawn, superseded).
PROFILE_STATE_ORDER = (
    Case(
        When(state__in=states.OPEN, then=Value(0)),
        When(state__in=states.PUBLIC, then=Value(1)),
        default=Value(2),
    ),
    F("last_updated").desc(nulls_first=True),
    "-pk",
)


class ProfileStateFilter(admin.SimpleListFilter):
    title = "current state"
    parameter_name = "current_state"

    def lookups(self, request, model_admin):
        return [*State.choices, ("none", "No edition")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(current_state=None if value == "none" else value)


class ProfileUpdatedFilter(admin.SimpleListFilter):
    title = "last updated"
    parameter_name = "last_updated_year"

    def lookups(self, request, model_admin):
        span = Edition.objects.public().aggregate(
            first=Min("last_updated"), last=Max("last_updated")
        )
        if span["first"] is None:
            return []
        return [
            (str(year), str(year)) for year in range(span["last"].year, span["first"].year - 1, -1)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()):
            raise IncorrectLookupParameters(f"Not a year: {value!r}")
        return queryset.filter(current_last_updated__year=int(value))


class ProfileWorkflowAdminMixin:
    """Profiles: each one's state and last update in the list, its editions and "Start a
    draft" on its page (starting a year's drafts, and assigning profiles, are in
    reports.editions.report_admin)."""

    change_form_template = "admin/reports/profile/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_state=Subquery(
                    _edition_of_profile(PROFILE_STATE_ORDER).values("state")[:1]
                ),
                current_last_updated=Subquery(
                    Edition.objects.public()
                    .filter(profile=OuterRef("pk"))
                    .values("last_updated")[:1]
                ),
            )
        )

    @admin.display(description="current state", ordering="current_state")
    def current_state(self, profile):
        return State(profile.current_state).label if profile.current_state else "No edition"

    @admin.display(description="last updated", ordering="current_last_updated")
    def current_last_updated(self, profile):
        return profile.current_last_updated or "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/start-draft/",
                wrap(self.start_draft_view),
                name="reports_profile_start_draft",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        profile = self.get_object(request, unquote(object_id))
        extra = {}
        if profile is not None:
            editions = list(
                profile.editions.select_related("report", "created_by").order_by(
                    F("last_updated").desc(nulls_first=True), "-pk"
                )
            )
            open_edition = next((e for e in editions if e.is_open), None)
            bases = [e for e in editions if e.is_frozen]
            default = newest_content(profile) if bases else None
            extra = {
                "profile_editions": editions,
                "open_edition": open_edition,
                "draft_bases": bases,
                "default_base": default,
                "can_start_draft": open_edition is None
                and request.user.has_perm(workflow.START_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def start_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        profile = get_object_or_404(Profile, pk=object_id)
        if not self.has_view_or_change_permission(request, profile):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:reports_profile_change", args=[profile.pk]))
        base_id = request.POST.get("base")
        base = profile.editions.filter(pk=base_id).first() if base_id else None
        if base_id and base is None:
            messages.error(request, "That edition is not one of this profile's.")
            return back
        try:
            draft = workflow.start_draft(profile, request.user, base=base)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return back
        messages.success(request, f"Started a draft of {profile}.")
        return HttpResponseRedirect(reverse("admin:reports_edition_change", args=[draft.pk]))
