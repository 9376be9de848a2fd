"""The admin page that imports a treaty status list pasted in the Monitor's notation
(reports.treaties): read and shown line by line first, written only once confirmed."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import treaties
from .models import TreatyStatus

PERMISSION = "reports.import_treatystatus"


class TreatyListForm(forms.Form):
    treaty = forms.ChoiceField(choices=TreatyStatus.Treaty.choices)
    text = forms.CharField(
        label="List",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 70}),
        max_length=200_000,
        help_text="One country a line: “Andorra 9 Apr 13 (a)” (accession), "
        "“Afghanistan 3 Dec 08; 8 Sep 11” (signature; ratification), "
        "“Angola 3 Dec 08” (signature only).",
    )


class TreatyListAdminMixin:
    change_list_template = "admin/reports/treatystatus/change_list.html"

    def get_urls(self):
        return [
            path(
                "paste/",
                self.admin_site.admin_view(self.paste_view),
                name="reports_treatystatus_paste",
            ),
            *super().get_urls(),
        ]

    def paste_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        form = TreatyListForm(request.POST if request.method == "POST" else None)
        lines = None
        if form.is_valid():
            confirm = request.POST.get("confirm") == "1"
            treaty, text = form.cleaned_data["treaty"], form.cleaned_data["text"]
            lines = treaties.import_list(
                text, treaty, request.user, "a pasted list", dry_run=not confirm
            )
            bad = [line for line in lines if line.error]
            if confirm and lines and not bad:
                messages.success(
                    request,
                    f"{len(lines)} treaty status(es) of the "
                    f"{TreatyStatus.Treaty(treaty).label} imported.",
                )
                return HttpResponseRedirect(reverse("admin:reports_treatystatus_changelist"))
            if confirm and bad:
                messages.error(request, "Nothing was imported: correct the lines below.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a pasted treaty status list",
            "subtitle": None,
            "form": form,
            "lines": lines,
            "errors": [line for line in lines or [] if line.error],
        }
        return TemplateResponse(request, "admin/reports/treatystatus/paste.html", context)
