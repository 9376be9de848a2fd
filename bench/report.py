"""The generated section of BENCHMARKS.md, from the figures bench/run.py collected."""

import re

BEGIN = "<!-- make bench: generated section, replaced by each run; edit the script, not this -->"
END = "<!-- make bench: end of generated section -->"
NOT_MEASURED = "no benchmark in `make bench` yet"


def ms(value):
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def triple(row, unit=ms):
    return f"{unit(row['min'])} / {unit(row['median'])} / {unit(row['max'])}"


def per_second(value):
    return f"{value:,.0f}"


def rate(value):
    return f"{value:,.1f}"


def verdict(met, how):
    return f"**met** ({how})" if met else f"**missed** ({how})"


def release_goal(release):
    if not release:
        return [("release of 1,200 approved editions ≤ 30 s", "", NOT_MEASURED)]
    seconds = release["seconds"]["median"]
    during = release["editor_steps_during"]
    longest = f"{during['max']:,.0f} ms" if during["max"] is not None else "–"
    alone = release["editor_steps_alone_ms"]
    return [
        (
            f"release of {release['editions']:,} approved editions ≤ 30 s, not blocking "
            "editors of other profiles",
            f"{seconds:.1f} s, {release['queries']:,} queries; an editor's steps elsewhere "
            f"meanwhile: {during['count']}, longest {longest}"
            + (f" (alone: {alone:,.0f} ms median)" if alone else ""),
            verdict(seconds <= 30, f"{seconds / 30:.1f}× the goal"),
        )
    ]


def admin_list_goal(figures):
    if not figures:
        return [
            ("admin Editions list, 22,800 editions, search + filter ≤ 100 ms", "", NOT_MEASURED)
        ]
    views = figures["views"]
    filtered = views.get("search + state") or max(views.values(), key=lambda v: v["median"])
    slowest = max(views, key=lambda name: views[name]["median"])
    return [
        (
            f"admin Editions list, {figures['editions']:,} editions, search and a filter "
            "≤ 100 ms, a fixed number of queries",
            f"search + filter {ms(filtered['median'])}, {filtered['queries']} queries; slowest "
            f"view ({slowest}) {ms(views[slowest]['median'])}",
            verdict(filtered["median"] <= 100, f"{filtered['median'] / 100:.1f}× the goal"),
        )
    ]


def churn_goal(churn):
    goal = "profile page keeps ≥ 80 % of its throughput under one publish and one withdraw a second"
    if not churn:
        return [(goal, "", NOT_MEASURED)]
    return [
        (
            goal,
            f"{churn['churn']['median']:,.0f} vs {churn['quiet']['median']:,.0f} req/s alone",
            verdict(churn["ratio"] >= 0.8, f"{churn['ratio']:.0%}"),
        )
    ]


def time_goal(goal, entry, limit):
    """A goal in milliseconds: judged on the wall-clock median; when that misses and the CPU
    the step used (its own and its PostgreSQL backend's) is within the limit, the row says
    so: the rest was waiting for a core on a loaded machine."""
    step = entry["ours"]
    median = step["median"]
    figure = f"{ms(median)} median, {step['queries']} queries"
    spent = step.get("cpu_ms_median", 0) + step.get("db_cpu_ms_median", 0)
    if "cpu_ms_median" in step:
        figure += f"; CPU {ms(spent)}"
    how = f"{median / limit:.1f}× the goal"
    if median > limit and "cpu_ms_median" in step and spent <= limit:
        how += f"; its CPU, {ms(spent)}, is within it: the rest is waiting for a core"
    return (goal, figure, verdict(median <= limit, how))


def goals(results):
    """[(goal, figure, verdict)] for issue 11's goals and the public site's standing targets."""
    one = results["scales"].get(1) or results["scales"].get("1") or {}
    rows = []
    steps = (one.get("editorial") or {}).get("steps", {})
    save = steps.get("save with its revision", {})
    if save.get("wagtail"):
        ours, theirs = save["ours"], save["wagtail"]
        ratio = ours["median"] / theirs["median"]
        rows.append(
            (
                "save of a 150-note edition with its revision no slower than Wagtail's "
                "`save_revision`, ≤ 40 queries",
                f"{ms(ours['median'])}, {ours['queries']} queries vs {ms(theirs['median'])}, "
                f"{theirs['queries']} queries",
                verdict(
                    ratio <= 1 and ours["queries"] <= 40,
                    f"{ratio:.1f}× Wagtail's time"
                    + (f", {ours['queries'] - 40} queries over" if ours["queries"] > 40 else ""),
                ),
            )
        )
    elif save:
        rows.append(("save no slower than Wagtail's `save_revision`", "", "anchor skipped"))
    for name in ("submit", "request changes", "approve"):
        if name in steps:
            rows.append(time_goal(f"{name} ≤ 20 ms, a fixed number of queries", steps[name], 20))
    publish = steps.get("publish", {})
    if publish.get("wagtail"):
        faster = publish["wagtail"]["median"] / publish["ours"]["median"]
        rows.append(
            (
                "publish ≥ 3× faster than Wagtail's `publish`",
                f"{ms(publish['ours']['median'])}, {publish['ours']['queries']} queries vs "
                f"{ms(publish['wagtail']['median'])}, {publish['wagtail']['queries']} queries",
                verdict(faster >= 3, f"{faster:.1f}× faster"),
            )
        )
    if "admin edit form POST" in steps:
        rows.append(
            time_goal(
                "admin edit form POST of a 150-note edition ≤ 150 ms",
                steps["admin edit form POST"],
                150,
            )
        )
    rows += release_goal(one.get("release")) + admin_list_goal(one.get("admin_list"))
    imports = one.get("import") or {}
    for workers, goal, how in (("2 workers", 100, "2 processes"), ("1 workers", 60, "one")):
        figures = imports.get(workers)
        if figures:
            median = figures["import"]["median"]
            rows.append(
                (
                    f"import ≥ {goal} documents/s into PostgreSQL, {how}",
                    f"{median:.0f} docs/s median ({figures['documents']:,} documents)",
                    verdict(median >= goal, f"{median / goal:.0%} of the goal"),
                )
            )
    rows += churn_goal(one.get("churn"))
    urls = (one.get("throughput") or {}).get("urls", {})
    if urls:
        share = urls["ours"]["of_bare"]
        rows.append(
            (
                "profile page ≥ 70 % of a bare Django view of the same bytes (issue 5)",
                f"{urls['ours']['median']:,.0f} vs {urls['bare']['median']:,.0f} req/s",
                verdict(share >= 0.7, f"{share:.0%}"),
            )
        )
    render = one.get("render")
    if render:
        rows.append(
            (
                "uncached render ≤ 10 ms (issue 5)",
                f"render {ms(render['render']['median'])}, whole view with its "
                f"{render['queries']['uncached']} queries {ms(render['uncached']['median'])}",
                verdict(
                    render["render"]["median"] <= 10,
                    f"the render alone, {render['render']['median'] / 10:.1f}× the goal",
                ),
            )
        )
    search = one.get("search")
    if search:
        rows.append(
            (
                "search ≤ 50 ms median (issue 5)",
                f"{ms(search['all']['median'])} over {len(search['queries'])} queries",
                verdict(
                    search["all"]["median"] <= 50, f"{search['all']['median'] / 50:.1f}× the goal"
                ),
            )
        )
    return rows


def speed_note(one):
    """How fast this machine ran, against the runs the absolute goals were set by."""
    bare = ((one.get("throughput") or {}).get("urls") or {}).get("bare")
    imports = (one.get("import") or {}).get("2 workers")
    seen = []
    if bare:
        seen.append(f"the bare Django view served {bare['median']:,.0f} req/s")
    if imports:
        seen.append(f"parsing the archive ran at {imports['parse']['median']:,.0f} docs/s")
    if not seen:
        return ""
    return (
        "\n\nThe time goals are absolute and this machine's speed varies: in these runs "
        + " and ".join(seen)
        + ", against 3,985 req/s and 1,112 docs/s on 2026-11-23 (when the public site's targets "
        "were met) and 1,646 req/s and 578–784 docs/s on 2026-11-30. The ratios to the anchors "
        "measured side by side do not depend on it."
    )


def goals_text(results):
    return "\n".join(f"{goal}: {figure} {mark}" for goal, figure, mark in goals(results))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_line(results):
    m = results["machine"]
    load = ", ".join(f"{x:.1f}" for x in m["load"])
    end = ", ".join(f"{x:.1f}" for x in results.get("load_end", ()))
    return (
        f"{m['cores']} cores ({m['cpu']}), {m['memory'] / 2**30:.0f} GiB RAM, load average "
        f"{load} at the start"
        + (f" and {end} at the end" if end else "")
        + f"; PostgreSQL {m['postgresql']} on 127.0.0.1, Python {m['python']}, "
        f"Django {m['django']}"
        + (f", Wagtail {results['wagtail']}" if results.get("wagtail") else "")
        + f"; commit {m['commit']}"
    )


def editorial_section(figures):
    rows = []
    for name, entry in figures["steps"].items():
        ours = entry["ours"]
        theirs = entry.get("wagtail")
        rows.append(
            [
                name,
                f"{triple(ours)}, {ours['queries']} q",
                cpu(ours),
                f"{triple(theirs)}, {theirs['queries']} q" if theirs else "–",
                cpu(theirs) if theirs else "",
                f"{entry['ratio']:.2f}" if "ratio" in entry else "",
            ]
        )
    content = figures["content"]
    return (
        f"### Editorial steps side by side ({figures['rounds']} rounds, min / median / max)\n\n"
        f"`bench/editorial.py`: the same generated profile ({content['sections']} sections, "
        f"{content['notes']} footnotes each citing a source, `bench/content.py`) in each system; "
        "the paired steps run back to back, who goes first alternating by round. Ours: the "
        "model-level save is one section changed and the edition saved in "
        "`reversion.create_revision()`; the admin POST is the edition change form as a browser "
        "fills it; submit / approve / publish are `reports.editions.workflow`; the render is the "
        "profile page through `django.test.Client` with the page cache emptied. Wagtail: "
        "`page.save_revision()` with one section changed, `revision.publish()`, the page through "
        "`django.test.Client`. q = queries of the last round. CPU: medians of the CPU time "
        "of the measuring process + of its PostgreSQL backend during the step (what it costs "
        "without waiting for a core; the wall-clock times include that wait on a shared "
        "machine).\n\n"
        + table(
            ["step", "ours", "ours: CPU", "Wagtail", "Wagtail: CPU", "ours / Wagtail (medians)"],
            rows,
        )
    )


def cpu(figures):
    if "cpu_ms_median" not in figures:
        return ""
    text = f"{figures['cpu_ms_median']:.1f}"
    if "db_cpu_ms_median" in figures:
        text += f" + {figures['db_cpu_ms_median']:.1f}"
    return f"{text} ms"


def profile_section(figures):
    names = {"save": "save with its revision", "admin_post": "admin edit form POST"}
    parts = []
    for step, found in figures.get("profiles", {}).items():
        parts.append(
            f"{names.get(step, step)}, {found['total_ms']:.0f} ms profiled:\n\n"
            f"```\n{found['tree']}\n```"
        )
    if not parts:
        return None
    return (
        "### Where our editorial time goes (pyinstrument, one more round after the timed ones)"
        "\n\nThe call tree of each slow step, frames holding 3 % of it or more, seconds "
        "(profiling slows the step; compare the frames with each other).\n\n" + "\n\n".join(parts)
    )


def throughput_section(figures):
    rows = [
        [
            name,
            figures["bytes"][name],
            f"{rate(row['min'])} / {rate(row['median'])} / {rate(row['max'])}",
            f"{row['of_bare']:.1%}",
            ", ".join(f"{x:.0%}" for x in row["per_round_of_bare"]),
        ]
        for name, row in figures["urls"].items()
    ]
    return (
        f"### Page throughput (`/countries/{figures['path']}/`, {figures['rounds']} rounds of "
        f"{figures['duration']} s each)\n\n"
        "`bench/throughput.py`: gunicorn, 2 sync workers each, bound to 127.0.0.1; `wrk -t1 -c4`; "
        "runs rotated round by round. bare = a Django view returning our page's bytes from memory "
        "(`bench/public_urls.py`); Wagtail serves the same content (exported from the data set) "
        "as a ProfilePage, and behind Django's `cache_page` at `/cached/…`.\n\n"
        + table(
            ["URL", "bytes", "req/s min / median / max", "of bare (medians)", "per round"], rows
        )
    )


def render_section(figures):
    rows = [
        [name, figures["queries"][name], triple(figures[name]), ms(figures[name]["p90"])]
        for name in ("render", "uncached", "cached", "re-read")
    ]
    return (
        f"### Rendering `{figures['url']}` ({figures['bytes']:,} bytes, {figures['runs']} runs)\n\n"
        "`bench/public_render.py`: render = renderer, nh3 and template with the content loaded; "
        "uncached = the whole view with an empty cache; cached = a hit within FRESHNESS; re-read "
        "= a hit that reads the clock.\n\n"
        + table(["path", "queries", "min / median / max", "p90"], rows)
    )


def search_section(figures):
    rows = [[query, triple(row)] for query, row in figures["queries"].items()]
    rows.append(["**all runs**", triple(figures["all"])])
    rows.append(["whole `/search/` page, stockpile destruction", triple(figures["page"])])
    return f"### Search ({figures['runs']} rounds)\n\n`bench/public_search.py`.\n\n" + table(
        ["query", "min / median / max"], rows
    )


def import_section(figures):
    rows = []
    for name, run in figures.items():
        if not run:
            continue
        rows.append(
            [
                name.replace("1 workers", "1 process").replace("2 workers", "2 processes"),
                run["documents"],
                triple(run["parse"], per_second),
                triple(run["import"], per_second),
                run["runs"],
            ]
        )
    return (
        "### Archive import into PostgreSQL\n\n`bench/generate_archive.py` then "
        "`bench/import_speed.py` (each run from an empty database).\n\n"
        + table(
            ["processes", "documents", "parse docs/s min / median / max", "import docs/s", "runs"],
            rows,
        )
    )


def release_section(figures):
    during = figures["editor_steps_during"]
    longest = f"{during['max']:,.0f} ms" if during["max"] is not None else "–"
    return (
        f"### Release of a yearly report ({figures['editions']:,} approved editions, "
        f"{figures['rounds']} rounds)\n\n`bench/release.py`: `workflow.release_report` on a new "
        "report each round, while an editor on another profile submits and is sent back again "
        "and again on a second connection.\n\n"
        + table(
            ["release, min / median / max", "queries", "editor's steps meanwhile", "longest"],
            [
                [
                    triple(figures["seconds"], lambda v: f"{v:,.1f} s"),
                    f"{figures['queries']:,}",
                    during["count"],
                    longest,
                ]
            ],
        )
    )


def admin_list_section(figures):
    rows = [
        [name, row["queries"], triple(row), ms(row["server"])]
        for name, row in figures["views"].items()
    ]
    return (
        f"### Admin Editions list ({figures['editions']:,} editions)\n\n`bench/admin_list.py`: "
        "an editor's requests through `django.test.Client`; PostgreSQL = the server's own "
        "planning and execution time of the request's queries.\n\n"
        + table(["view", "queries", "min / median / max", "PostgreSQL"], rows)
    )


def churn_section(figures):
    rows = [[mode, triple(figures[mode], rate)] for mode in ("quiet", "churn")]
    return (
        f"### The profile page under publishing ({figures['rounds']} rounds of "
        f"{figures['duration']} s)\n\n`bench/public_wrk.py --churn`: "
        f"`/countries/{figures['path']}/` alone (quiet), and while `bench/publish_churn.py` "
        "publishes and withdraws an edition of another profile once a second (churn); ratio "
        f"{figures['ratio']:.0%}.\n\n" + table(["", "req/s min / median / max"], rows)
    )


def workflow_steps_section(figures):
    rows = [
        [name, row["queries"], f"{ms(row['min'])} / {ms(row['median'])} / {ms(row['max'])}"]
        for name, row in figures.items()
        if isinstance(row, dict)
    ]
    return "### Lifecycle steps (`bench/workflow_steps.py`, its own 150-note profile)\n\n" + table(
        ["step", "queries", "min / median / max"], rows
    )


def growth_section(results):
    scales = sorted(results["scales"], key=int)
    if len(scales) < 2:
        return None
    rows = []
    for scale in scales:
        figures = results["scales"][scale]
        data = figures.get("data set") or {}
        urls = (figures.get("throughput") or {}).get("urls", {})
        render = figures.get("render") or {}
        search = figures.get("search") or {}
        churn = figures.get("churn") or {}
        views = (figures.get("admin_list") or {}).get("views") or {}
        listed = views.get("search + state")
        imports = figures.get("import") or {}

        def imported(workers, imports=imports):
            run = imports.get(f"{workers} workers")
            return f"{run['import']['median']:.0f} ({run['documents']:,} docs)" if run else ""

        rows.append(
            [
                f"{scale}×",
                f"{data.get('editions', 0):,}",
                f"{data.get('bytes', 0) / 2**30:.1f} GiB",
                ms(render["render"]["median"]) if render else "",
                ms(render["uncached"]["median"]) if render else "",
                f"{urls['ours']['median']:,.0f} ({urls['ours']['of_bare']:.0%})" if urls else "",
                f"{churn['ratio']:.0%}" if churn else "",
                ms(search["all"]["median"]) if search else "",
                ms(listed["median"]) if listed else "",
                imported(2),
                imported(1),
            ]
        )
    return "### Growth (medians)\n\n" + table(
        [
            "scale",
            "editions",
            "database",
            "render",
            "uncached view",
            "profile req/s (of bare)",
            "profile under publishing",
            "search",
            "admin list, search + state",
            "import docs/s, 2 processes",
            "import docs/s, 1 process",
        ],
        rows,
    )


def markdown(results):
    one = results["scales"].get(1) or results["scales"].get("1") or {}
    parts = [
        BEGIN,
        "## Latest `make bench` run",
        f"Run {results['started']} – {results['finished']} (UTC) with `{results['command']}` "
        f"on {machine_line(results)}. Every figure is min / median / max over "
        f"{results['rounds']} rounds or more, measured side by side in this one run; the machine "
        "is shared and noisy, so compare the ratios rather than absolute times across runs. "
        "Logs of each script: `bench/.results/` (not committed).",
    ]
    for merged in results.get("merged", []):
        parts.append(
            f"Kept from the run of {merged['started']} (`{merged['command']}`): "
            + ", ".join(merged["kept"])
            + "."
        )
    data = one.get("data set")
    if data:
        built = (
            f"built in {data['build_seconds']:.0f} s"
            if data.get("build_seconds")
            else "built by an earlier run"
        )
        parts.append(
            f"Data set (`bench/public_dataset.py`): {data['editions']:,} editions, "
            f"{data['footnotes']:,} footnotes, {data['bytes'] / 2**30:.1f} GiB ({built})."
        )
    parts.append(
        "### Goals\n\n"
        + table(["goal", "figure (medians)", "verdict"], goals(results))
        + speed_note(one)
    )
    for key, section in [
        ("editorial", editorial_section),
        ("editorial", profile_section),
        ("throughput", throughput_section),
        ("release", release_section),
        ("churn", churn_section),
        ("admin_list", admin_list_section),
        ("render", render_section),
        ("search", search_section),
        ("import", import_section),
        ("workflow_steps", workflow_steps_section),
    ]:
        text = one.get(key) and section(one[key])
        if text:
            parts.append(text)
    growth = growth_section(results)
    if growth:
        parts.append(growth)
    parts.append(
        "Not run by `make bench`: `bench/public_wrk.py` (its profile / bare comparison is the "
        "first two rows of `bench/throughput.py`, which uses its wrk runner) and "
        "`bench/cache_costs.py` (a micro-benchmark of one cache check; needs Redis)."
    )
    if results["skipped"] or results["errors"]:
        parts.append(
            "### Skipped or failed\n\n"
            + "\n".join(f"- skipped: {line}" for line in results["skipped"])
            + ("\n" if results["skipped"] and results["errors"] else "")
            + "\n".join(f"- failed: {line}" for line in results["errors"])
        )
    parts.append(END)
    return "\n\n".join(parts) + "\n"


def write(path, section):
    """Put `section` in place of the generated one, or under the title; keep the rest."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + "\n" + after
    else:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{section}\n{rest.lstrip(chr(10))}"
    path.write_text(re.sub(r"\n{3,}", "\n\n", text))
