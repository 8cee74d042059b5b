"""The session's rules, without Textual or torch: drawing, undo, samples, edits, selection,
and what the walkthrough's tasks compare."""

import subprocess
import sys

import numpy as np
import pytest

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE, POSITIONS
from vqvae_tui.session import (
    UNDO_DEPTH,
    Moment,
    Selection,
    Session,
    drew_top_left,
    edited_a_code,
    edited_codes,
    position_label,
    runner_up,
    same_as_right_neighbour,
    typed_label,
)


def recorded() -> tuple[Session, list[str]]:
    session = Session()
    changes: list[str] = []
    session.on_change = changes.append
    return session, changes


def test_the_session_imports_neither_textual_nor_torch():
    code = (
        "import sys, vqvae_tui.session\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]"


def test_paint_draws_and_a_new_stroke_is_an_undo_step():
    session, changes = recorded()
    session.paint((5.5, 5.5), (20.5, 5.5), new_stroke=True)
    assert session.image[5, 5:21].min() > 0.9 and len(session.undo_stack) == 1
    session.paint((20.5, 5.5), (20.5, 20.5))  # the same stroke goes on: no new undo step
    assert session.image[5:21, 20].min() > 0.9 and len(session.undo_stack) == 1
    session.paint((10.5, 5.5), (10.5, 5.5), erase=True, new_stroke=True)
    assert session.image[5, 10] == 0 and len(session.undo_stack) == 2
    assert changes == ["pixels"] * 3
    assert 0 <= session.image.min() and session.image.max() <= 1


def test_clear_and_undo():
    session, changes = recorded()
    assert not session.clear() and not session.undo() and changes == []  # nothing to do
    session.paint((14.5, 14.5), (14.5, 14.5), new_stroke=True)
    drawn = session.image.copy()
    assert session.clear() and not session.image.any()
    assert session.undo()
    np.testing.assert_array_equal(session.image, drawn)
    assert session.undo() and not session.image.any()  # before the first stroke
    assert changes == ["pixels"] * 4


def test_undo_keeps_a_bounded_history():
    session = Session()
    for i in range(UNDO_DEPTH + 20):
        session.paint((i % IMAGE + 0.5, 3.5), (i % IMAGE + 0.5, 3.5), new_stroke=True)
    assert len(session.undo_stack) == UNDO_DEPTH


def test_a_sample_plays_stroke_by_stroke_and_equals_its_script():
    session, changes = recorded()
    session.paint((3.5, 3.5), (3.5, 3.5), new_stroke=True)
    session.start_sample("8")
    assert not session.image.any() and session.sample  # cleared, segments queued
    drawn = []
    while session.play(2):
        drawn.append(session.image.sum())
    assert len(drawn) >= 3 and drawn == sorted(drawn) and drawn[-1] < session.image.sum()
    np.testing.assert_array_equal(session.image, draw_strokes(SAMPLES["8"]))
    assert session.undo() and session.image[3, 3] > 0.9  # the sample was one undo step


def test_a_stroke_clear_or_undo_stops_a_sample():
    for stop in (
        lambda s: s.paint((1.5, 1.5), (1.5, 1.5), new_stroke=True),
        Session.clear,
        Session.undo,
    ):
        session = Session()
        session.start_sample("3")
        session.play(1)
        stop(session)
        assert session.sample == [] and not session.play()


def test_a_picture_becomes_the_drawing_in_one_undo_step():
    session, changes = recorded()
    session.paint((5.5, 5.5), (20.5, 5.5), new_stroke=True)
    drawn = session.image.copy()
    session.start_sample("3")
    session.play(1)
    picture = np.random.default_rng(0).random((IMAGE, IMAGE), dtype=np.float32)
    session.load_picture(picture)
    assert session.sample == []  # the sample stopped
    np.testing.assert_array_equal(session.image, picture)
    assert changes[-1] == "pixels"
    assert session.undo()  # back to the sample's first segment, then to the stroke
    assert session.undo()
    np.testing.assert_array_equal(session.image, drawn)


def test_set_code_and_its_nearest_code_is_no_edit():
    session, changes = recorded()
    session.set_code(5, 7, nearest=2)
    assert session.edits == {5: 7}
    session.set_code(5, 2, nearest=2)
    assert session.edits == {} and changes == ["edits", "edits"]
    codes = np.arange(POSITIONS) % 4
    session.set_code(0, 3, nearest=0)
    edited = edited_codes(codes, session.edits)
    assert edited[0] == 3 and (edited[1:] == codes[1:]).all() and codes[0] == 0  # a copy


def test_runner_up_toggles_and_reset_edits():
    distances = np.array([0.5, 0.1, 0.3, 0.3])
    assert runner_up(distances) == 2  # the second smallest; ties go to the lower code
    session = Session()
    session.toggle_runner_up(9, distances)
    assert session.edits == {9: 2}
    session.toggle_runner_up(9, distances)  # again: back to the nearest
    assert session.edits == {}
    session.set_code(1, 3, nearest=0)
    assert session.reset_edits() and session.edits == {} and not session.reset_edits()


def test_edits_that_do_not_fit_the_model_are_named():
    assert Session(edits={3: 19}).check_edits(20) is None
    assert "beyond this model's 20" in Session(edits={3: 25}).check_edits(20)
    assert "beyond the 7×7 grid" in Session(edits={POSITIONS: 1}).check_edits(20)


def test_selection_changes_are_told_once():
    session, changes = recorded()
    session.select_position(10)
    session.select_position(10)
    assert session.selection == Selection(position=10) and changes == ["selection"]
    session.select_code(4)
    assert session.selection == Selection(code=4)
    session.deselect()
    assert session.selection == Selection() and changes == ["selection"] * 3


def test_the_code_of_interest_of_a_selection():
    codes = np.arange(POSITIONS) % 5
    assert Selection(position=12).code_of_interest(codes) == 2
    assert Selection(code=3).code_of_interest(codes) == 3
    assert Selection().code_of_interest(codes) is None
    assert position_label(3 * GRID + 4) == "(3,4)"


def moment(image=None, position=None, edits=None) -> Moment:
    image = np.zeros((IMAGE, IMAGE), np.float32) if image is None else image
    return Moment(image, position, edits or {})


def test_task_a_stroke_in_the_top_left_corner_after_the_step_began():
    codes = np.zeros(POSITIONS, int)
    corner = np.zeros((IMAGE, IMAGE), np.float32)
    corner[2:4, 2:4] = 1
    elsewhere = np.zeros((IMAGE, IMAGE), np.float32)
    elsewhere[20, 20] = 1
    assert drew_top_left(codes, moment(), moment(corner))
    assert not drew_top_left(codes, moment(), moment(elsewhere))
    assert not drew_top_left(codes, moment(corner), moment(corner))  # there before: no


def test_task_a_new_position_with_its_right_neighbours_code():
    codes = np.zeros(POSITIONS, int)
    codes[1] = 1  # position 0's right neighbour differs; 1 and 2 differ; 2 and 3 agree
    assert not same_as_right_neighbour(codes, moment(), moment(position=0))
    assert same_as_right_neighbour(codes, moment(), moment(position=2))
    assert not same_as_right_neighbour(codes, moment(position=2), moment(position=2))
    assert not same_as_right_neighbour(codes, moment(), moment(position=GRID - 1))  # no right
    assert not same_as_right_neighbour(codes, moment(), moment())


@pytest.mark.parametrize(
    ("entered", "now", "done"),
    [({}, {}, False), ({}, {3: 1}, True), ({3: 1}, {3: 1}, False), ({3: 1}, {3: 2}, True)],
)
def test_task_an_edited_code(entered, now, done):
    codes = np.zeros(POSITIONS, int)
    assert edited_a_code(codes, moment(edits=entered), moment(edits=now)) is done


def test_moment_is_a_copy_of_the_state():
    session = Session()
    session.select_position(4)
    session.set_code(4, 1, nearest=0)
    then = session.moment()
    session.paint((14.5, 14.5), (14.5, 14.5), new_stroke=True)
    session.set_code(4, 2, nearest=0)
    assert not then.image.any() and then.position == 4 and then.edits == {4: 1}


# ---- z on the VAE's plane ---------------------------------------------------------------

BOUNDS = (-3.0, 3.0)


def test_z_follows_the_encoder_until_pinned_and_pinning_is_kept_on_the_plane():
    session, changes = Session(), []
    session.on_change = changes.append
    assert session.cursor is None  # following
    session.pin((1.0, -0.5), BOUNDS)
    assert session.cursor == (1.0, -0.5) and changes == ["latent"]
    session.pin((1.0, -0.5), BOUNDS)
    assert changes == ["latent"]  # the same point: nothing changed
    session.pin((9.0, -7.0), BOUNDS)
    assert session.cursor == (3.0, -3.0)


def test_moving_z_starts_from_where_it_follows_or_is_pinned():
    session = Session()
    session.move_cursor((0.5, 0.0), z=(1.0, 1.0), bounds=BOUNDS)  # following: from z
    assert session.cursor == (1.5, 1.0)
    session.move_cursor((0.0, -0.25), z=(-2.0, -2.0), bounds=BOUNDS)  # pinned: from the pin
    assert session.cursor == (1.5, 0.75)


def test_toggling_pins_z_where_it_is_then_follows_again():
    session, changes = Session(), []
    session.on_change = changes.append
    assert session.toggle_pin((0.25, 0.5), BOUNDS) is True and session.cursor == (0.25, 0.5)
    assert session.toggle_pin((2.0, 2.0), BOUNDS) is False and session.cursor is None
    assert changes == ["latent", "latent"]


def test_a_new_epsilon_is_the_next_seed():
    session, changes = Session(), []
    session.on_change = changes.append
    seeds = [session.noise]
    for _ in range(3):
        session.new_noise()
        seeds.append(session.noise)
    assert seeds == [0, 1, 2, 3] and changes == ["latent"] * 3


def test_a_typed_label_names_a_code_and_small_letters_only_after_equals():
    labels = CODE_LABELS[:64]
    assert typed_label("B", labels, False) == (True, 11)
    assert typed_label("@", labels, False) == (True, 62)
    assert typed_label("n", labels, False) == (False, None)  # n is a key of the screen too
    assert typed_label("n", labels, True) == (True, labels.index("n"))
    assert typed_label("?", labels, True) == (True, None)  # after =: said to label no code
    assert typed_label("?", labels, False) == (False, None)
    assert typed_label("K", CODE_LABELS[:20], False) == (False, None)  # beyond this K
