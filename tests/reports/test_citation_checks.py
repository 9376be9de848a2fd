"""The citation checks that gate approval find each problem where it occurs."""

from reports.citations import check


def kinds(problems):
    return [(problem.kind, problem.number) for problem in problems]


def test_clean_content_has_no_problems():
    assert check("", [("Policy", "One.[1]\n\nTwo.[2]")], [1, 2]) == []


def test_a_marker_without_a_footnote_is_located_by_section_and_paragraph():
    [problem] = check("", [("Policy", "One.[1]"), ("Use", "First.\n\nSecond.[2]")], [1])
    assert (problem.kind, problem.number) == ("missing_footnote", 2)
    assert str(problem) == "Section 2 “Use”, paragraph 2: Marker [2] has no footnote."


def test_footnotes_never_cited_duplicated_or_missing_are_reported():
    problems = check("Summary.[1]", [("Policy", "Text.[3]")], [1, 3, 3, 4])
    assert kinds(problems) == [
        ("duplicate_number", 3),
        ("uncited_footnote", 4),
        ("gap", 2),
    ]


def test_a_marker_in_a_legacy_heading_cites_its_footnote():
    assert check("", [("Casualties[1]", "In 2019, no casualties were recorded.")], [1]) == []


def test_a_problem_repeated_thousands_of_times_is_listed_fifty_times_and_counted():
    problems = check("[1] " * 10_000, [], [1, 2_000_000_000])
    duplicates = [p for p in problems if p.kind == "duplicate_marker"]
    assert len(duplicates) == 51
    assert duplicates[-1].message == "… and 9,949 more like the above."
    gaps = [p for p in problems if p.kind == "gap"]
    assert [p.number for p in gaps[:3]] == [2, 3, 4] and len(gaps) == 51
    assert gaps[-1].message == f"… and {1_999_999_998 - 50:,} more like the above."
