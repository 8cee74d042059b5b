"""The terminal plots (vqvae_tui/plots.py) and the run record the training screen draws from."""

import json
from pathlib import Path

from vqvae_tui.plots import BRAILLE, bars, line_plot, scatter
from vqvae_tui.training.record import RunRecord

RECORDING = Path(__file__).resolve().parent / "data" / "training-run.json"


def dots_of(plot) -> set[tuple[int, int]]:
    """(x, y) of every dot set, in dots, y from the top."""
    bits = {0x01: (0, 0), 0x02: (0, 1), 0x04: (0, 2), 0x40: (0, 3),
            0x08: (1, 0), 0x10: (1, 1), 0x20: (1, 2), 0x80: (1, 3)}  # fmt: skip
    seen = set()
    for row, text in enumerate(plot.text):
        for column, char in enumerate(text):
            code = ord(char) - BRAILLE if char != " " else 0
            for bit, (dx, dy) in bits.items():
                if code & bit:
                    seen.add((2 * column + dx, 4 * row + dy))
    return seen


def test_a_rising_line_goes_from_the_bottom_left_to_the_top_right_without_gaps():
    plot = line_plot([[0, 1, 2, 3]], width=4, height=2)
    dots = dots_of(plot)
    assert (0, 7) in dots and (7, 0) in dots  # the first value at the bottom, the last on top
    assert {x for x, _ in dots} == set(range(8))  # joined: every dot column has a dot
    assert (plot.low, plot.high) == (0, 3)
    assert all(owner in (-1, 0) for row in plot.owners for owner in row)


def test_series_share_one_axis_and_own_their_cells():
    plot = line_plot([[1, 1, 1], [10, 10, 10]], width=3, height=2, log=True)
    assert (plot.low, plot.high) == (1, 10)
    assert set(plot.owners[-1]) == {0} and set(plot.owners[0]) == {1}  # low below, high above
    flat = line_plot([[5, 5]], width=2, height=1)
    assert flat.low < 5 < flat.high  # a constant series gets a range around it
    assert line_plot([], 3, 2).text == ["   ", "   "]


def test_scatter_puts_labelled_points_in_their_cells():
    plot = scatter([[0, 0], [1, 1]], [[0, 1], [1, 0]], width=4, height=2)
    assert plot.owners[0][0] == 1 and plot.owners[1][3] == 2  # top left, bottom right
    assert plot.text[0][0] == "•" and plot.text[1][3] == "•"
    assert (1, 7) not in dots_of(plot)  # dots: only where the points are
    assert dots_of(scatter([[0, 0], [1, 1]], [], width=4, height=2)) == {(0, 7), (7, 0)}


def test_bars_scale_to_the_largest_and_show_any_use():
    rows = bars([0, 1, 1000, 500], height=2)
    assert rows[0][2] == "█" and rows[1][2] == "█"  # the largest: full height
    assert rows[1][1] == "▁"  # 1 of 1000: a sliver, not nothing
    assert rows[0][0] == rows[1][0] == " "  # 0: empty (the widget marks it dead)
    assert rows[0][3] == " " and rows[1][3] == "█"  # half: the lower row


def test_a_recorded_run_gathers_into_series():
    record = RunRecord()
    events = json.loads(RECORDING.read_text())
    kinds = [record.add(event) for event in events]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    batches = [e for e in events if e["kind"] == "batch"]
    assert record.batches == len(batches) == 36
    assert record.losses["reconstruction"] == [e["reconstruction"] for e in batches]
    assert record.active == [e["active"] for e in batches]
    assert record.counts == batches[-1]["counts"] and record.position == (3, 3, 12, 12)
    assert record.ended and not record.live and record.state == "finished"
    assert record.message.endswith("holds the last complete epoch (3)")


def test_restarts_stay_marked_for_a_while():
    record = RunRecord()
    for step in range(1, 11):
        record.add({"kind": "batch", "epoch": 1, "epochs": 1, "step": step, "steps": 10,
                    "reconstruction": 1, "codebook": 1, "commitment": 1, "counts": [1, 0],
                    "active": 1, "perplexity": 1, "dead": 1})  # fmt: skip
        if step == 3:
            record.add({"kind": "restart", "epoch": 1, "step": 3, "codes": [1]})
    assert record.restarted_lately(8) == [1] and record.restarted_lately(7) == []
