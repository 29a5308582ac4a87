"""Any-order funnels check Hall's condition on connected step subsets only: which subsets, and counts by hand."""

from __future__ import annotations

from builders import build_project
from funnel_helpers import chart, event, run, step_users
from tui.analytics.funnel_any import hall_subsets


def steps_of(subsets: list[int]) -> list[set[int]]:
    """Return each subset's steps, 1-based, in the order given."""
    return [{index + 1 for index in range(10) if subset >> index & 1} for subset in subsets]


def test_any_event_links_other_steps():
    found = steps_of(hall_subsets(["View", "*", "Cart", "Buy"]))

    # {1, 3}, {1, 4}, {3, 4} and {1, 3, 4} match disjoint events, so their singletons decide them.
    assert {1, 3} not in found
    assert {3, 4} not in found
    assert {1, 3, 4} not in found
    assert len(found) == 11
    assert {1, 2, 3, 4} in found
    assert {1, 2} in found
    assert {3} in found


def test_repeated_event_type_subsets():
    assert steps_of(hall_subsets(["View", "Cart", "View"])) == [{1}, {2}, {3}, {1, 3}]
    assert len(hall_subsets(["*", "*", "*", "*"])) == 15
    assert len(hall_subsets(["A", "B", "C", "D"])) == 4


def test_any_event_between_distinct_steps(tmp_path):
    project = build_project(tmp_path, [
        # ann: View and Buy only. The * step needs a third event, so ann stops at step 2.
        event("View", "2024-03-01T10:00:00Z", "ann"),
        event("Buy", "2024-03-01T10:30:00Z", "ann"),
        # ben: a Search gives the * step its own event.
        event("Buy", "2024-03-01T09:00:00Z", "ben"),
        event("View", "2024-03-01T09:10:00Z", "ben"),
        event("Search", "2024-03-01T09:20:00Z", "ben"),
        # cy: two Views fill steps 1 and 2, and no Buy follows.
        event("View", "2024-03-01T11:00:00Z", "cy"),
        event("View", "2024-03-01T11:05:00Z", "cy"),
    ])
    obj = chart(["View", "*", "Buy"], order="any")

    assert run(project, obj)["converted"].tolist() == [3, 3, 1]
    assert step_users(project, obj, 3) == ["ben"]
    assert step_users(project, obj, 3, dropped=True) == ["ann", "cy"]
