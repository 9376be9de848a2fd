"""The yearly cycle in the admin: a report's progress as it really is, starting its drafts,
releasing it after a confirmation page, and its dashboard. The rules live in
reports.editions.cycle, .release and .workflow; this module only translates requests and
messages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ..models import Report, Topic
from . import cycle, workflow

RELEASE_PERMISSION = "reports.publish_edition"


def editions_url(report, state=None, **more):
    """The editions list filtered to the report (and a state)."""
    query = {"report__id__exact": report.pk, **more}
    if state:
        query["state__exact"] = state
    return f"{reverse('admin:reports_edition_changelist')}?{urlencode(query)}"


class ProfileChoices(forms.Form):
    """What the Profiles list's actions ask for beside the profiles."""

    report = forms.ModelChoiceField(
        queryset=Report.objects.all(),
        required=False,
        label="for report",
        help_text="The yearly report the drafts or assignments belong to.",
    )
    researcher = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        required=False,
        label="researcher",
    )
    due_on = forms.DateField(
        required=False, label="due", widget=forms.DateInput(attrs={"type": "date"})
    )


class ProfileActionForm(ActionForm, ProfileChoices):
    pass


class ProfileCycleAdminMixin:
    """Profiles: start drafts for the selected profiles (for a yearly report when one is
    chosen: then only profiles its series publishes)."""

    action_form = ProfileActionForm
    actions = ["start_drafts", "assign"]

    def has_assign_permission(self, request):
        return request.user.has_perm("reports.add_assignment")

    @admin.action(
        description="Assign the selected profiles to the researcher (for the chosen report)",
        permissions=["assign"],
    )
    def assign(self, request, queryset):
        form = ProfileChoices(request.POST)
        data = form.cleaned_data if form.is_valid() else {}
        if not (data.get("report") and data.get("researcher")):
            messages.error(request, "Choose a report and a researcher to assign the profiles to.")
            return
        count = cycle.assign(queryset, data["report"], data["researcher"], data["due_on"])
        messages.success(
            request, f"Assigned {count} profile(s) to {data['researcher']} for {data['report']}."
        )

    def has_start_drafts_permission(self, request):
        return request.user.has_perm(workflow.START_PERMISSION)

    @admin.action(
        description="Start drafts for the selected profiles (for the chosen report)",
        permissions=["start_drafts"],
    )
    def start_drafts(self, request, queryset):
        report_id = request.POST.get("report")
        report = Report.objects.filter(pk=report_id).first() if report_id else None
        queryset = queryset.select_related("country", "topic")
        try:
            if report is not None:
                drafts, refused = workflow.start_report_update(report, queryset, request.user)
            else:
                drafts, refused = [], {}
                for profile in queryset:
                    try:
                        drafts.append(workflow.start_draft(profile, request.user))
                    except workflow.WorkflowError as exc:
                        refused[profile] = str(exc)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return
        report_started_messages(request, drafts, refused)


def report_started_messages(request, drafts, skipped):
    if drafts:
        messages.success(request, f"Started {len(drafts)} draft(s).")
    if skipped:
        messages.warning(request, f"Skipped {len(skipped)} profile(s); nothing was started for:")
    for reason in skipped.values():
        messages.warning(request, reason)


class StartUpdateForm(forms.Form):
    """Which profiles of the report's series to start: by topic, by region, or from a list;
    every criterion given narrows the choice."""

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    profiles = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        help_text="Or choose the profiles one by one.",
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, report, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        eligible = cycle.eligible_profiles(report).select_related("country", "topic")
        self.fields["topics"].queryset = Topic.objects.filter(series=report.series)
        regions = sorted({r for r in eligible.values_list("country__region", flat=True) if r})
        self.fields["regions"].choices = [(region, region) for region in regions]
        self.fields["profiles"].queryset = eligible.order_by("country__name", "topic__position")

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("topics") or cleaned.get("regions") or cleaned.get("profiles")):
            raise forms.ValidationError("Choose topics, regions or profiles to start.")
        return cleaned

    def chosen(self):
        data = self.cleaned_data
        return cycle.choose_profiles(
            self.report,
            topics=data["topics"],
            regions=data["regions"],
            profiles=data["profiles"],
        )


class ReportCycleAdminMixin:
    """Yearly reports: their state as it really is, start drafts, release after confirmation,
    the report's dashboard."""

    actions = ["release"]
    change_form_template = "admin/reports/report/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_open_count()

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "progress"]

    @admin.display(description="state", ordering="state")
    def state_summary(self, obj):
        return obj.state_summary

    @admin.display(description="yearly cycle")
    def cycle_links(self, obj):
        links = [("Dashboard", reverse("admin:reports_report_dashboard", args=[obj.pk]))]
        if obj.open_count:
            links.append(("Release…", reverse("admin:reports_report_release", args=[obj.pk])))
        return format_html_join(" · ", "<a href='{}'>{}</a>", ((url, t) for t, url in links))

    @admin.display(description="progress by state")
    def progress(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = format_html_join(
            "",
            "<div><a href='{}'>{}: {}</a></div>",
            (
                (editions_url(obj, value), label, count)
                for (label, count), value in zip(
                    workflow.report_progress(obj), workflow.State.values, strict=True
                )
                if count
            ),
        )
        return format_html("<p><strong>{}</strong></p>{}", obj.state_summary, rows)

    def has_release_permission(self, request):
        return request.user.has_perm(RELEASE_PERMISSION)

    @admin.action(
        description="Release: review what would be published, then confirm",
        permissions=["release"],
    )
    def release(self, request, queryset):
        reports = list(queryset[:2])
        if len(reports) != 1:
            messages.error(request, "Choose one report to release.")
            return None
        return HttpResponseRedirect(reverse("admin:reports_report_release", args=[reports[0].pk]))

    # --- URLs ----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/release/", wrap(self.release_view), name="reports_report_release"
            ),
            path(
                "<int:object_id>/start-drafts/",
                wrap(self.start_drafts_view),
                name="reports_report_start_drafts",
            ),
            path(
                "<int:object_id>/dashboard/",
                wrap(self.dashboard_view),
                name="reports_report_dashboard",
            ),
            *super().get_urls(),
        ]

    def _report(self, request, object_id):
        report = get_object_or_404(Report.objects.with_open_count(), pk=object_id)
        if not self.has_view_or_change_permission(request, report):
            raise PermissionDenied
        return report

    def _context(self, request, report, title, **more):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "subtitle": None,
            "original": report,
            "report": report,
            **more,
        }

    def release_view(self, request, object_id):
        report = self._report(request, object_id)
        if not request.user.has_perm(RELEASE_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            return self._release(request, report)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        plan = cycle.release_plan(report)
        later = report.scheduled_release_at
        context = self._context(
            request,
            report,
            f"Release {report}",
            plan=plan,
            scheduled_release_at=later if later and later > timezone.now() else None,
            unpublished=[
                (label, count, named, editions_url(report, value))
                for label, value, count, named in plan.unpublished
            ],
            approved_url=editions_url(report, workflow.State.APPROVED),
        )
        return TemplateResponse(request, "admin/reports/report/release.html", context)

    def _release(self, request, report):
        back = reverse("admin:reports_report_change", args=[report.pk])
        at = report.scheduled_release_at if request.POST.get("when") == "scheduled" else None
        if at is not None and at <= timezone.now():
            at = None
        try:
            editions = workflow.release_report(report, request.user, at=at)
        except workflow.WorkflowError as exc:
            messages.error(request, f"{report}: {exc}")
            return HttpResponseRedirect(reverse("admin:reports_report_release", args=[report.pk]))
        done = f"scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M}" if at else "published"
        message = f"{report}: {len(editions)} edition(s) {done}."
        still_open = cycle.open_editions_after_release(report)
        if at is None and still_open:
            count = sum(still_open.values())
            message += (
                f" {count} edition(s) of the report are not approved and stay unpublished "
                f"({cycle.describe_open(still_open)}); release again once they are approved."
            )
            messages.warning(request, message)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(back)

    def start_drafts_view(self, request, object_id):
        report = self._report(request, object_id)
        if not request.user.has_perm(workflow.START_PERMISSION):
            raise PermissionDenied
        form = StartUpdateForm(report, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                drafts, skipped = workflow.start_report_update(report, form.chosen(), request.user)
            except workflow.WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                report_started_messages(request, drafts, skipped)
                return HttpResponseRedirect(
                    reverse("admin:reports_report_dashboard", args=[report.pk])
                )
        context = self._context(
            request, report, f"Start drafts for {report}", form=form, media=self.media
        )
        return TemplateResponse(request, "admin/reports/report/start_drafts.html", context)

    def dashboard_view(self, request, object_id):
        report = self._report(request, object_id)
        board = cycle.report_dashboard(report, timezone.localdate())
        columns = board["columns"]
        assignments = reverse("admin:reports_assignment_changelist")

        def rows(tallies, link):
            """Each tally's cells as (count, link to the editions or assignments counted)."""
            for tally in tallies:
                tally.cells = [
                    (tally.counts.get(value, 0), link(tally, value)) for value, _ in columns
                ]
                yield tally

        def editions(**filters):
            def link(tally, state):
                if state == cycle.NOT_STARTED:
                    return None
                return editions_url(
                    report, state, **{k: v(tally) for k, v in filters.items() if v(tally)}
                )

            return link

        def by_researcher(tally, state):
            query = {"report__id__exact": report.pk, "researcher__id__exact": tally.key}
            return f"{assignments}?{urlencode(query)}"

        tables = [
            ("All editions", rows([board["totals"]], editions())),
            (
                "By topic",
                rows(board["by_topic"], editions(profile__topic__id__exact=lambda t: t.key)),
            ),
            (
                "By region",
                rows(
                    board["by_region"],
                    editions(profile__country__region__exact=lambda t: t.key),
                ),
            ),
            ("By researcher (assigned profiles)", rows(board["by_researcher"], by_researcher)),
        ]
        context = self._context(
            request,
            report,
            f"Dashboard: {report}",
            columns=columns,
            tables=[(title, list(tallies)) for title, tallies in tables],
            overdue_assignments=board["overdue_assignments"],
            target_passed=board["target_passed"],
            overdue_count=board["totals"].overdue,
            overdue_url=editions_url(report) if board["target_passed"] else None,
        )
        return TemplateResponse(request, "admin/reports/report/dashboard.html", context)


class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["profile", "report", "researcher", "due_on"]
    list_filter = ["report", "researcher", "profile__topic", "profile__country__region"]
    list_select_related = ["profile__country", "profile__topic", "report", "researcher"]
    list_editable = ["due_on"]
    search_fields = ["profile__country__name", "profile__topic__name", "researcher__username"]
    autocomplete_fields = ["profile", "report"]
