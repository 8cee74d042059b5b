"""The graph view: VAE.forward's source linked both ways with its computational graph, the
normal curves, the KL of each dimension and the gradient path, all from the running VAE."""

import re

import numpy as np
import pytest
from scenarios import line_text, make_app

from vqvae_tui.model.steps import SAMPLING_NODES, sampling_steps, vae_source
from vqvae_tui.ui.widgets.graph import (
    COMPACT_PLACES,
    COMPACT_TEMPLATE,
    LABELS,
    ORDER,
    PLACES,
    REACHED,
    UNREACHED,
)

FULL = (120, 40)


async def open_graph(pilot, *keys):
    await pilot.press(*keys, "z", "d")
    await pilot.pause()
    await pilot.pause()


def styled_nodes(graph, component: str) -> set[str]:
    """The nodes whose label is drawn in a component style of the graph."""
    style = graph.get_component_rich_style(component, partial=True)
    found = set()
    for node, (row, start, end) in graph.spans.items():
        line = graph.lines[row]
        if any(span.start <= start and span.end >= end and span.style == style
               for span in line.spans):  # fmt: skip
            found.add(node)
    return found


async def test_a_line_of_code_lights_its_nodes(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "3")
        screen = app.screen
        assert screen.id == "graph" and screen.source.text == vae_source().text
        screen.code.focus()
        for step, line in sampling_steps().items():
            await pilot.press(*["down"] * (line - (screen.code_cursor or -1)))
            await pilot.pause()
            assert screen.code_cursor == line
            assert styled_nodes(screen.graph, "graph--linked") == set(SAMPLING_NODES[step])
            assert screen.code.linked == {line}
        await pilot.press("down")  # the return line computes no node
        await pilot.pause()
        assert styled_nodes(screen.graph, "graph--linked") == set() and screen.code.linked == set()


async def test_a_node_lights_its_line_of_code_by_keys_and_by_the_mouse(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "3")
        screen = app.screen
        await pilot.press("tab")
        assert app.focused is screen.graph
        lines = sampling_steps()
        for node in ORDER:
            await pilot.press("down")
            await pilot.pause()
            assert screen.focused_node == node
            step = next((s for s, nodes in SAMPLING_NODES.items() if node in nodes), None)
            assert screen.code.linked == ({lines[step]} if step else set())
            assert styled_nodes(screen.graph, "graph--focus") == {node}
        row, column = PLACES["epsilon"]
        await pilot.hover("#computation-graph", offset=(column + 1, row))
        await pilot.pause()
        assert screen.focused_node == "epsilon" and screen.code.linked == {lines["noise"]}
        code_line = line_text(screen.code, lines["noise"])
        assert "torch.randn" in code_line


async def test_the_graph_shows_the_live_values_of_the_trace(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "2")
        trace, graph = app.vae_trace, app.screen.graph
        text = str(graph.render())

        def pair(values):
            return " ".join(f"{value:+.3f}" for value in values)

        for values in (trace.mean, trace.log_variance, 0.5 * trace.log_variance, trace.sigma,
                       trace.epsilon, trace.sigma * trace.epsilon, trace.z):  # fmt: skip
            assert pair(values) in text
        for node, label in LABELS.items():
            assert label in text, node
        await pilot.press("n")  # a new ε: its branch and z change
        await pilot.pause()
        assert pair(app.vae_trace.epsilon) in str(graph.render()) != text


async def test_the_gradient_reaches_mean_and_sigma_not_epsilon_as_measured(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "6")
        path, graph = app.gradients, app.screen.graph
        assert path is not None and not path.reached["epsilon"] and path.reached["mean"]
        for node, (row, _, end) in graph.spans.items():
            mark = graph.lines[row].plain[end]
            assert mark == (REACHED if path.reached[node] else UNREACHED), node
        text = str(app.screen.gradient.render())
        for label, name in (("∂L/∂z", "z"), ("∂L/∂μ", "mean"), ("∂L/∂σ", "sigma")):
            line = next(line for line in text.splitlines() if line.startswith(label + " "))
            shown = [float(v) for v in re.findall(r"[-+]\d+\.\d+", line)[:2]]
            np.testing.assert_allclose(shown, path.gradients[name], atol=5e-4)
        assert "ε ✗ not reached" in text
        assert f"max|∂L/∂μ − ∂L/∂z|       {path.mean_difference:.1e}" in text


async def test_the_kl_shown_is_the_closed_form_and_the_models_loss(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "9")
        trace = app.vae_trace
        text = str(app.screen.kl.render())
        per_dimension = [float(v) for v in re.findall(r"= (\d+\.\d+) nats", text)]
        closed_form = 0.5 * (trace.mean**2 + trace.sigma**2 - trace.log_variance - 1)
        np.testing.assert_allclose(per_dimension, closed_form, atol=5e-4)
        total = float(re.search(r"sum\s+(\d+\.\d+)", text)[1])
        model = float(re.search(r"the model's KL\s+(\d+\.\d+)", text)[1])
        assert total == pytest.approx(closed_form.sum(), abs=5e-4)
        assert model == pytest.approx(float(trace.kl.sum()), abs=5e-4)
        assert total == pytest.approx(model, abs=1e-3)


async def test_the_curves_mark_epsilon_and_z_where_they_are_on_the_axis(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await open_graph(pilot, "3")
        trace = app.vae_trace
        lines = str(app.screen.curves.render()).splitlines()
        marks = [line for line in lines if "▲" in line]
        values = (trace.epsilon[0], trace.z[0], trace.epsilon[1], trace.z[1])
        assert len(marks) == len(values)  # ε₁, z₁, ε₂, z₂
        axis = lines[-1]
        ticks = {int(m[0]): m.start() + len(m[0]) // 2 for m in re.finditer(r"[-+]?\d", axis)}
        assert 0 in ticks and len(ticks) >= 3
        for line, value in zip(marks, values):
            assert line.startswith(f"{'εz'[marks.index(line) % 2]}")
            assert f"{value:+.3f}" in line
            below = max((t for t in ticks if t <= value), default=min(ticks))
            above = min((t for t in ticks if t >= value), default=max(ticks))
            assert ticks[below] - 1 <= line.index("▲") <= ticks[above] + 1, (value, line, axis)


async def test_at_80x24_the_graph_code_and_numbers_all_show_without_scrolling(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_graph(pilot, "3")
        screen = app.screen
        body = screen.query_one("#graph-body")
        assert body.max_scroll_x == 0 and body.max_scroll_y == 0
        shown = [screen.graph, screen.small_code, screen.small_numbers]
        for widget in shown:  # each whole on the screen, beside the others
            assert body.region.contains_region(widget.region), widget.id
        for hidden in (screen.canvas, screen.curves, screen.code, screen.kl, screen.gradient):
            assert not hidden.display or not hidden.region.area, hidden.id
        assert len(screen.graph.lines) == len(COMPACT_TEMPLATE) <= screen.graph.region.height
        trace, path = app.vae_trace, app.gradients
        text = str(screen.graph.render())
        for value in (*trace.mean, *trace.sigma, *trace.epsilon, *trace.z):
            assert f"{value:+.3f}" in text  # the graph's live values, as at 120×40
        numbers = str(screen.small_numbers.render())
        terms = [0.5 * (m**2 + s**2 - lv - 1)
                 for m, s, lv in zip(trace.mean, trace.sigma, trace.log_variance)]  # fmt: skip
        assert f"z₁ {terms[0]:.3f}" in numbers and f"z₂ {terms[1]:.3f}" in numbers
        assert f"model's {trace.kl.sum():.3f} nats" in numbers
        assert f"{path.gradients['z'][0]:+8.3f}" in numbers and "ε ✗ not reached" in numbers
        assert f"∂L/∂μ = ∂L/∂z   max|Δ| {path.mean_difference:.0e}" in numbers
        assert f"∂L/∂σ = ε·∂L/∂z max|Δ| {path.sigma_difference:.0e}" in numbers
        assert app.focused is screen.graph  # the canvas is hidden: the keys start on the graph
        await pilot.press("2")  # the drawing keys still draw: the numbers follow
        await pilot.pause()
        assert app.vae_trace is not trace
        assert f"{app.vae_trace.mean[0]:+.3f}" in str(screen.graph.render())


async def test_at_80x24_code_and_graph_light_each_other_both_ways(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_graph(pilot, "3")
        screen = app.screen
        lines = sampling_steps()
        await pilot.press(*["down"] * (ORDER.index("sigma") + 1))  # the graph: node σ
        await pilot.pause()
        assert screen.focused_node == "sigma"
        assert screen.small_code.linked == {lines["log-var trick"]}
        assert styled_nodes(screen.graph, "graph--focus") == {"sigma"}
        row, column = COMPACT_PLACES["epsilon"]  # the mouse, on the compact drawing
        await pilot.hover("#computation-graph", offset=(column + 1, row))
        await pilot.pause()
        assert screen.focused_node == "epsilon" and screen.small_code.linked == {lines["noise"]}
        await pilot.press("tab")
        assert app.focused is screen.small_code
        step, line = min(sampling_steps().items(), key=lambda item: item[1])
        await pilot.press(*["down"] * (line + 1))  # the code's first step: its nodes light
        await pilot.pause()
        assert screen.code_cursor == line
        assert styled_nodes(screen.graph, "graph--linked") == set(SAMPLING_NODES[step])
        await pilot.resize_terminal(120, 40)  # the full layout again: the full code pane
        await pilot.pause()
        await pilot.pause()
        assert screen.graph.places == PLACES and screen.code.linked == {line}
        assert app.focused is screen.code
