"""How the summary screen looks: 120×40 and 80×24, empty, with a sample, with a selection."""

import pytest
from scenarios import SCENARIOS, SIZES, make_app


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_summary_screen(snap_compare, shipped_model, size, scenario):
    app = make_app(shipped_model)
    assert snap_compare(app, terminal_size=SIZES[size], press=SCENARIOS[scenario])
