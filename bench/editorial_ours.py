"""Our side of bench/editorial.py: the editorial steps on the benchmark profile, one at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_steps \
        .venv/bin/python bench/editorial_ours.py     # then driven through stdin by editorial.py

Builds a profile whose published edition holds bench/content.py's 12 sections and 150
footnotes (each citing its own source) in the scratch database given by DATABASE_URL (rows are
left there), then answers, each through the public API:

start       ``workflow.start_draft`` (a new draft copied from the published edition)
save        the model-level save of a draft with its revision: one section changed, the edition
            saved, in ``reversion.create_revision()`` with the edition (and what it follows)
admin_post  the edition change form POSTed through django.test.Client as a researcher, one
            section changed (the form is fetched and filled first, untimed)
submit, request_changes, approve, publish   ``workflow.submit`` / … / ``publish``
render      the public profile page through django.test.Client with the page cache emptied

and "profile <step>": the step's timed part under pyinstrument, its call tree.
"""

import importlib
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.public_settings")

# Loaded as a server process loads it (monitor/wsgi.py, which also sets the collector up).
importlib.import_module("monitor.wsgi")

import reversion  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from selectolax.lexbor import LexborHTMLParser as HTMLParser  # noqa: E402

from bench.content import changed_body, profile_content  # noqa: E402
from bench.protocol import profile_next, profiled_rows, serve, timed  # noqa: E402
from reports.editions import workflow  # noqa: E402
from reports.editions.freeze import lifecycle  # noqa: E402
from reports.models import Country, Edition, OverviewFact, Profile, Section, Topic  # noqa: E402
from reports.public import pagecache  # noqa: E402
from sources.models import Citation, Footnote, Source  # noqa: E402


def account(name, role):
    user, _ = get_user_model().objects.get_or_create(
        username=f"bench-{name}", defaults={"is_staff": True}
    )
    user.groups.set([Group.objects.get(name=role)])
    return get_user_model().objects.get(pk=user.pk)


def build_profile(content):
    """A new profile with a published edition of `content`, written through the gate."""
    tag = str(time.time_ns())
    country = Country.objects.create(name=f"Benchland {tag}", slug=f"benchland-{tag}")
    topic = Topic.objects.create(name=f"Mine Ban Policy {tag}", slug=f"mine-ban-policy-{tag}")
    profile = Profile.objects.create(country=country, topic=topic)
    with lifecycle():
        edition = Edition.objects.create(
            profile=profile,
            state=Edition.State.PUBLISHED,
            published_at=timezone.now(),
            last_updated=timezone.localdate(),
            summary=content["summary"],
        )
        OverviewFact.objects.bulk_create(
            OverviewFact(edition=edition, position=i, label=label, value=value)
            for i, (label, value) in enumerate(content["facts"], start=1)
        )
        Section.objects.bulk_create(
            Section(edition=edition, position=i, heading=s["heading"], body=s["body"])
            for i, s in enumerate(content["sections"], start=1)
        )
        notes = Footnote.objects.bulk_create(
            Footnote(edition=edition, number=n["number"], text=n["text"]) for n in content["notes"]
        )
        sources = Source.objects.bulk_create(
            Source(
                kind=n["source"]["kind"],
                title=n["source"]["title"],
                identity_key=f"{n['source']['key']}-{tag}",
            )
            for n in content["notes"]
        )
        Citation.objects.bulk_create(
            Citation(footnote=note, source=source)
            for note, source in zip(notes, sources, strict=True)
        )
    return profile


def form_data(page, form_id="edition_form"):
    """What a browser would POST from the page's form: every field with its current value."""
    form = HTMLParser(page).css_first(f"form#{form_id}")
    data = {}
    for node in form.css("input, textarea, select"):
        name = node.attributes.get("name")
        kind = node.attributes.get("type", "")
        if not name or kind in ("submit", "button", "file") or "disabled" in node.attributes:
            continue
        if node.tag == "textarea":
            data[name] = node.text(deep=True)
        elif node.tag == "select":
            chosen = node.css_first("option[selected]")
            data[name] = chosen.attributes.get("value", "") if chosen else ""
        elif kind in ("checkbox", "radio"):
            if "checked" in node.attributes:
                data[name] = node.attributes.get("value") or "on"
        else:
            data[name] = node.attributes.get("value") or ""
    return data


def main():
    call_command("migrate", verbosity=0)
    researcher = account("researcher", "Researcher")
    editor, publisher = account("editor", "Editor"), account("publisher", "Publisher")
    content = profile_content()
    profile = build_profile(content)
    url = f"/countries/{profile.country.slug}/{profile.topic.slug}/"
    editors, readers = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    editors.force_login(researcher)
    state = {"edition": None}

    def changed(round_):
        index = round_ % len(content["sections"])
        return index + 1, changed_body(content["sections"][index]["body"], round_)

    def start(round_):
        figures, state["edition"] = timed(
            connection, lambda: workflow.start_draft(profile, researcher)
        )
        return figures

    def save(round_):
        draft = Edition.objects.get(pk=state["edition"].pk)
        position, body = changed(round_)
        section = draft.sections.get(position=position)

        def write():
            with transaction.atomic(), reversion.create_revision():
                section.body = body
                section.save()
                draft.version += 1
                draft.save()
                reversion.add_to_revision(draft)
                reversion.set_user(researcher)
                reversion.set_comment("Benchmark: one section changed")

        return timed(connection, write)[0]

    def admin_post(round_):
        change = f"/admin/reports/edition/{state['edition'].pk}/change/"
        page = editors.get(change)
        assert page.status_code == 200, page.status_code
        data = form_data(page.content)
        position, body = changed(round_ + 1000)
        field = next(
            name[: -len("-position")]
            for name, value in data.items()
            if re.fullmatch(r"sections-\d+-position", name) and value == str(position)
        )
        data[f"{field}-body"] = body
        # Encoded as a browser sends a form without a file field (the test client's default
        # is multipart).
        encoded = urlencode(data)
        figures, response = timed(
            connection,
            lambda: editors.post(change, encoded, content_type="application/x-www-form-urlencoded"),
        )
        if response.status_code != 302:
            errors = HTMLParser(response.content).css(".errorlist, .errornote")
            raise AssertionError("admin refused the form: " + " | ".join(e.text() for e in errors))
        saved = Section.objects.get(edition=state["edition"], position=position).body
        assert saved == body.replace("\n", "\r\n") or saved == body, "the change was not saved"
        return figures

    def step(name, actor, *arguments):
        def run(round_):
            action = getattr(workflow, name)
            figures, state["edition"] = timed(
                connection, lambda: action(state["edition"], actor, *arguments)
            )
            return figures

        return run

    def render(round_):
        # A publication in this thread makes the next response wait until every process can
        # have seen it (pagecache.PublicationMiddleware): that wait belongs to the publish.
        pagecache.wait_until_seen()
        pagecache.forget_all()
        figures, response = timed(connection, lambda: readers.get(url))
        assert response.status_code == 200, response.status_code
        return {**figures, "bytes": len(response.content)}

    steps = {
        "start": start,
        "save": save,
        "admin_post": admin_post,
        "submit": step("submit", researcher),
        "request_changes": step("request_changes", editor, "Benchmark: check the figures."),
        "approve": step("approve", editor),
        "publish": step("publish", publisher),
        "render": render,
    }

    def profile_of(name):
        def run(round_):
            profile_next()
            return {**steps[name](round_), "profile": profiled_rows()}

        return run

    steps.update({f"profile {name}": profile_of(name) for name in list(steps)})
    serve(steps, ready={"sections": len(content["sections"]), "notes": len(content["notes"])})


if __name__ == "__main__":
    main()
