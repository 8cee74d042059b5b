"""The link between the quantizer's source lines and the Trace matrices they compute."""

import inspect
import textwrap
from dataclasses import fields

import pytest

from vqvae_tui.model import (
    STEP_MATRICES,
    Trace,
    VectorQuantizer,
    line_of,
    matrix_of,
    quantizer_source,
)
from vqvae_tui.model.steps import steps

# What each step's line must assign, and a piece of code that shows it does what it claims.
CLAIMS = {
    "reshape": ("flat", ".reshape(n * h * w, d)"),
    "distances": ("distances", "torch.cdist(flat, self.codebook) ** 2"),
    "argmin": ("codes", ".argmin(dim=1)"),
    "lookup": ("selected", "self.codebook[codes]"),
    "reshape back": ("z_q", "selected.reshape(n, h, w, d)"),
    "straight-through": ("quantized", "z_e + (z_q - z_e).detach()"),
}


def test_the_source_is_the_running_quantizers():
    source = quantizer_source()
    assert source.text == textwrap.dedent(inspect.getsource(VectorQuantizer.forward))
    assert source.lines == tuple(source.text.splitlines())
    assert source.lines[0].startswith("def forward(self, z_e")
    with open(inspect.getsourcefile(VectorQuantizer)) as file:
        assert file.read().splitlines()[source.first_line - 1].strip() == source.lines[0]


def test_every_marker_maps_to_a_trace_matrix_and_every_matrix_to_a_line():
    trace_fields = {field.name for field in fields(Trace)}
    found = steps()
    assert [step.name for step in found] == list(STEP_MATRICES)  # in the order of the data
    assert all(step.matrix in trace_fields for step in found)
    for matrix in ("flat", "distances", "codes", "selected", "quantized"):
        assert line_of(matrix), matrix
        assert all(matrix_of(line) == matrix for line in line_of(matrix))
    assert line_of("quantized") == [
        steps_by_name()["reshape back"],
        steps_by_name()["straight-through"],
    ]


def steps_by_name() -> dict[str, int]:
    return {step.name: step.line for step in steps()}


@pytest.mark.parametrize("name", CLAIMS)
def test_each_steps_line_computes_what_it_claims(name):
    assigned, code = CLAIMS[name]
    line = quantizer_source().lines[steps_by_name()[name]].strip()
    assert line.startswith(f"{assigned} = ")
    assert code in line


def test_unmarked_lines_and_fields_map_to_nothing():
    assert matrix_of(0) is None  # the `def` line
    assert line_of("reconstruction") == []


@pytest.mark.parametrize(
    "edit, error",
    [
        (("  # step: argmin", ""), "no `# step:` marker for 'argmin'"),
        (("# step: lookup", "# step: look-up"), "unknown step 'look-up'"),
        (("# step: reshape back", "# step: reshape"), "step 'reshape' is marked twice"),
    ],
    ids=["missing", "unknown", "duplicated"],
)
def test_a_doctored_source_is_refused(edit, error):
    text = quantizer_source().text
    assert edit[0] in text
    assert steps(text) == steps(quantizer_source())
    with pytest.raises(ValueError, match=error):
        steps(text.replace(*edit))
