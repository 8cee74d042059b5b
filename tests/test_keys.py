"""Keys written once: every action of every screen and panel is bound to its keys, offered by
the command palette and listed in `?` help, all from one table; the footer shows whole labels."""

import io

import pytest
from rich.console import Console
from scenarios import make_app
from textual.widgets._footer import FooterKey

from vqvae_tui.ui.actions import Action, actions, keys_shown, table_of

FULL, COMPACT = (120, 40), (80, 24)
SCREENS = {
    "summary": (),
    "details": ("d",),
    "generate": ("g",),
    "atlas": ("a",),
    "vae": ("z",),
    "graph": ("z", "d"),
    "comparison": ("t",),
    "collapse": ("L", "C"),
}


def panels(screen) -> list:
    """The focusable panels of a screen that have keys of their own."""
    return [widget for widget in screen.query("*") if widget.can_focus and table_of(widget)]


def bound(node, action: Action) -> bool:
    """Whether each of the action's keys runs it on the node."""
    return all(
        any(b.action == action.action for b in node._bindings.key_to_bindings.get(key, []))
        for key in action.keys.split(",")
    )


def help_text(app) -> str:
    """The text of `?` help, as wide as it needs."""
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(app.screen.keys.content)
    return console.export_text()


def palette_titles(app) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


@pytest.mark.parametrize("name", SCREENS)
async def test_every_action_has_its_keys_a_palette_entry_and_a_help_line(shipped_model, name):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3", *SCREENS[name])
        await pilot.pause()
        screen = app.screen
        assert screen.id == name
        for node in (app, screen, *panels(screen)):
            for action in table_of(node):
                assert bound(node, action), (node, action)
        if name in ("summary", "comparison"):
            screen.action_tour()  # the walkthrough's keys are offered while it runs
        for panel in [None, *panels(screen)]:
            if panel is not None:
                panel.focus()
                await pilot.pause()
            titles = palette_titles(app)
            for node in (app, screen, *([panel] if panel else [])):
                for action in table_of(node):
                    runnable = node.check_action(action.name, ()) is not False
                    if action.palette and runnable:
                        assert action.title in titles, (node, action)
            await pilot.press("question_mark")
            await pilot.pause()
            text = help_text(app)
            for node in (app, screen, *([panel] if panel else [])):
                for action in table_of(node):
                    assert (action.group or action.title) in text, (node, action)
                    if action.group is None:  # a group shows its keys together, or a range
                        assert keys_shown(app, action).split()[0] in text, (node, action)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen


async def test_a_palette_command_runs_its_action(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Sample 7", "enter")
        await pilot.pause()
        assert app.session.image.sum() > 40 and app.trace.image.sum() == app.session.image.sum()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Details", "enter")
        await pilot.pause()
        assert app.screen.id == "details"


async def test_question_mark_opens_and_closes_the_keys_of_the_screen_below(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.id == "help"
        text = help_text(app)
        assert "Walkthrough" in text and "Sample 0–9" in text and "0–9" in text
        assert "This panel (input)" in text and "Paint at the pixel cursor" in text
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.id == "summary"
        await pilot.press("d", "question_mark")
        await pilot.pause()
        text = help_text(app)
        assert "Back to the summary screen" in text and "Walkthrough" not in text


async def test_help_over_the_palette_lists_the_screen_below_the_palette(shipped_model):
    """A storm found it: help pushed while the palette was still open read the palette's keys."""
    from vqvae_tui.ui.screens.palette import Palette

    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("a")
        await pilot.pause()
        app.push_screen(Palette())
        await pilot.pause()
        app.push_screen("help")
        await pilot.pause()
        assert app.screen.id == "help" and "The code atlas" in help_text(app)


def test_an_action_table_refuses_two_actions_with_one_id():
    with pytest.raises(ValueError, match="one id"):
        actions("x", Action("a", "go(1)", "A", "a"), Action("b", "go(2)", "B", "b"))


@pytest.mark.parametrize("size", [FULL, COMPACT])
@pytest.mark.parametrize(
    "keys",
    [(), ("w",), ("d",), ("g",), ("a",), ("tab", "tab"), ("z",), ("z", "d"), ("t",), ("L", "C")],
)
async def test_the_footer_shows_whole_labels_that_fit(shipped_model, size, keys):
    app = make_app(shipped_model)
    async with app.run_test(size=size) as pilot:
        await pilot.press("3", *keys)
        await pilot.pause()
        await pilot.pause()
        footer_keys = list(app.screen.query(FooterKey))
        palette = [key for key in footer_keys if key.has_class("-command-palette")]
        shown = [key for key in footer_keys if not key.has_class("-command-palette")]
        assert palette and len(shown) >= 3
        right = 0
        for key in shown:
            label = key.render().plain
            assert label.strip() == f"{key.key_display} {key.description}"  # whole, not cut
            assert key.region.width == len(label) and key.region.x >= right
            right = key.region.right
        assert right <= palette[0].region.x and palette[0].region.right <= size[0]
        descriptions = [key.description for key in shown]
        assert "Keys" in descriptions and "Quit" in descriptions  # the most useful always fit
        if keys == ():
            assert {"Details", "Walkthrough", "Generate", "Atlas"} <= set(descriptions)


async def test_the_footer_refits_when_the_terminal_changes(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.pause()
        wide = [key.description for key in app.screen.query(FooterKey)]
        await pilot.resize_terminal(*COMPACT)
        await pilot.pause()
        await pilot.pause()
        narrow = [key.description for key in app.screen.query(FooterKey)]
        assert len(narrow) < len(wide) and set(narrow) <= set(wide)
        assert max(key.region.right for key in app.screen.query(FooterKey)) <= COMPACT[0]


async def test_help_opened_over_a_closing_palette_lists_the_screen_below_it(shipped_model):
    """A storm of keys can open help while the command palette is still on the stack: help
    shows the keys of the screen the palette was opened from."""
    from vqvae_tui.ui.screens.palette import Palette

    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("d")
        await app.push_screen(Palette())
        await pilot.pause()
        await app.push_screen("help")
        await pilot.pause()
        assert app.screen.id == "help"
        text = help_text(app)
        assert "Back to the summary screen" in text and "Walkthrough" not in text
