import numpy as np

from ioc_qgis_plugin.core.sla import DeadlineState, SlaRules, deadline_state, due_times


def test_rules_most_specific_wins():
    r = SlaRules.default()
    assert r.hours_for("security", "urgent") == 2.0
    assert r.hours_for("traffic", "normal") == 8.0
    assert r.hours_for("environment", "normal") == 24.0
    assert r.hours_for("unknown", "normal") == 24.0
    arr = r.hours_array(
        np.array(["traffic", "land", "land"], dtype=object), np.array(["normal", "urgent", "normal"], dtype=object)
    )
    assert arr.tolist() == [8.0, 2.0, 24.0]
    # lists, generators, missing values (looked up as text, as the rules file holds text) and no rows at all
    assert r.hours_array(["traffic", None], (p for p in ["urgent", "normal"])).tolist() == [2.0, 24.0]
    assert r.hours_array([], []).shape == (0,)


def test_deadline_states():
    h = 3600.0
    req = np.array([0, 0, 0, 0, 0, 0, np.nan])
    due = due_times(req, np.array([8, 8, 8, 8, 8, 8, 8]))
    res = np.array([np.nan, np.nan, np.nan, 7 * h, 9 * h, np.nan, np.nan])
    is_open = np.array([True, True, True, False, False, False, True])
    now = 7.5 * h  # 0.5 h left of 8 h = within the last 25 %
    state = deadline_state(req, due, res, is_open, now)
    assert state[0] == DeadlineState.DUE_SOON
    assert deadline_state(req, due, res, is_open, 1 * h)[0] == DeadlineState.ON_TIME
    assert deadline_state(req, due, res, is_open, 9 * h)[0] == DeadlineState.OVERDUE
    assert state[3] == DeadlineState.RESOLVED_ON_TIME
    assert state[4] == DeadlineState.RESOLVED_LATE
    assert state[5] == DeadlineState.NO_DEADLINE  # rejected without resolution time
    assert state[6] == DeadlineState.NO_DEADLINE  # no received time
    returned = np.array([False, False, False, True, True, False, False])  # rejected/duplicate with a time
    state = deadline_state(req, due, res, is_open, now, returned=returned)
    assert state[3] == state[4] == DeadlineState.NO_DEADLINE


def test_million_reports_vectorised():
    n = 1_000_000
    rng = np.random.default_rng(1)
    req = rng.uniform(0, 1e8, n)
    due = req + 8 * 3600
    state = deadline_state(req, due, np.full(n, np.nan), np.ones(n, bool), 5e7)
    assert state.shape == (n,)
    assert set(np.unique(state)) <= {0, 1, 2}
