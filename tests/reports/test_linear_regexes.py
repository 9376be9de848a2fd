"""Every regex applied to stored text runs in linear time.

One published text must never take a page down: a quadratic regex over a 60 kB body answered 500
after 30 s on the profile page, the preview and the feed. Each function below that runs regexes
over stored text (rendering, citation checks, the diff's tokens, search snippets) gets
pathological inputs of 1 MB and must finish each within a second (a linear pass over 1 MB takes
milliseconds; the old URL regex needed about 20 s for 40 kB). Time is CPU time, not wall time.
"""

import time

import pytest
from django.urls import reverse

from reports import citations, diff
from reports.importer.citations import ibid_parts
from reports.public import search
from reports.public.rendering import Content, render_edition_content, render_inline, render_text
from tests.builders import make_edition

MB = 1 << 20


def _fill(unit, prefix="", suffix="x"):
    """`prefix`, then `unit` repeated to about 1 MB, then `suffix`."""
    return prefix + unit * (MB // len(unit)) + suffix


PATHOLOGICAL = {
    "url then dots": _fill(".", "http://", "a"),
    "url then closing brackets": _fill(")", "http://a"),
    "url then entities": _fill("&", "http://a"),
    "url then quotes": _fill("'\"<>", "http://a"),
    "urls back to back": _fill("http://"),
    "spaces": _fill(" "),
    "spaces before a marker": _fill(" ", suffix="[1]"),
    "newlines and tabs": _fill("\n\t"),
    "newline then spaces": _fill(" ", "\n"),
    "blank lines": _fill("\n \n"),
    "open brackets": _fill("[1"),
    "digits without a close": _fill("1", "["),
    "markers": _fill("[1] "),
    "bullets": _fill("- "),
    "ibid then separators": _fill(" ,", "Ibid"),
    "ibid then spaces": _fill(" ", "Ibid"),
    "tags": _fill("<a "),
    "one word": _fill("a"),
    "words": _fill("policy "),
    "punctuation": _fill(".,;:!?"),
}


def _render_everywhere(text):
    """The megabyte spread over every field a page renders."""
    fifth = len(text) // 5
    summary, label, heading, body, note = (text[i * fifth : (i + 1) * fifth] for i in range(5))
    content = Content(
        summary=summary,
        facts=[(label, label)],
        sections=[(1, heading, body)],
        notes=[(1, note)],
        cites={},
    )
    render_edition_content(content)


FUNCTIONS = {
    "edition content": _render_everywhere,
    "text": render_text,
    "inline": render_inline,
    "citation checks": lambda text: citations.check(text[:255], [(text[:255], text)], [1]),
    "ibid": ibid_parts,
    "diff tokens": diff.TOKEN.findall,
    "search snippet": lambda text: search._snippet(
        text, search._stem_spans(text, {"polici"}) + search._term_spans(text, ["polic"])
    ),
}


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_regexes_on_stored_text_are_linear(function, name):
    # CPU time of this process: the suite shares its machine, wall time would measure that.
    started = time.process_time()
    FUNCTIONS[function](PATHOLOGICAL[name])
    assert time.process_time() - started < 1.0, f"{function} on {name!r} (1 MB)"


def test_urls_are_still_linked_as_before():
    html = render_inline("See http://example.org/a.b), http://x.org/?a=1&b=2. And http://.")
    assert '<a href="http://example.org/a.b" rel="nofollow">http://example.org/a.b</a>),' in html
    assert '<a href="http://x.org/?a=1&amp;b=2" rel="nofollow">' in html
    assert '<a href="http://." rel="nofollow">http://.</a>' in html
    assert render_inline("xhttp://example.org") == "xhttp://example.org"
    html = render_inline("(http://example.org/'onmouseover='alert(1)')")
    assert '<a href="http://example.org/" rel="nofollow">' in html


SLOW_BEFORE = "http://" + "." * 60_000 + "a"  # took minutes to render before


@pytest.mark.django_db
def test_a_pathological_body_neither_slows_the_profile_page_nor_enters_the_feed(client):
    edition = make_edition(
        state="published",
        summary=SLOW_BEFORE + " " + "word " * 1000,
        sections=(("Policy", SLOW_BEFORE),),
        footnotes=((SLOW_BEFORE,),),
    )
    profile = edition.profile
    for url in (
        reverse("public:profile", args=[profile.country.slug, profile.topic.slug]),
        reverse("public:feed"),
    ):
        started = time.process_time()
        response = client.get(url)
        assert response.status_code == 200
        assert time.process_time() - started < 1.0, url
    feed = client.get(reverse("public:feed")).text
    assert len(feed) < 5000  # a notice and a link, not the text
    assert "……" not in feed and "http://..." in feed and "…</summary>" in feed
