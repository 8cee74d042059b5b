"""House rules that a reader would otherwise have to check by hand."""

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parent.parent / "vqvae_tui" / "ui"
SHAPES = {7, 28, 49}  # the grid, the image and the positions: from model.config only
# 24 is the centre position too; elsewhere it is a named count of something else
TWENTY_FOUR = {("widgets/grid.py", "FEATURE_SHADES"), ("screens/base.py", "COMPACT")}


def constants(tree: ast.AST):
    """(number, the name it is assigned to at module level or None) of every numeric literal."""
    named = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            for part in ast.walk(node.value):
                named[id(part)] = node.targets[0].id
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            yield node.value, named.get(id(node)), node.lineno


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: str(p.relative_to(UI)))
def test_no_grid_or_image_sizes_written_as_numbers_in_the_ui(path):
    module = str(path.relative_to(UI))
    for value, name, line in constants(ast.parse(path.read_text())):
        assert value not in SHAPES, f"{module}:{line}: {value} (use model.config)"
        if value == 24:
            assert (module, name) in TWENTY_FOUR, f"{module}:{line}: 24 (use model.config)"


def test_every_message_class_lives_in_messages():
    for path in UI.rglob("*.py"):
        if path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                assert "Message" not in bases, f"{path.name}: {node.name} belongs in messages.py"


def test_no_two_things_with_one_name():
    """A name defined at module level in two of the package's modules reads as one thing."""
    seen: dict[str, str] = {}
    allowed = {"ACTIONS", "BINDINGS", "CSS_PATH", "HELP_TITLE", "DEFAULT_CSS", "COMPONENT_CLASSES"}
    package = UI.parent
    for path in sorted(package.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            for name in names:
                if name.isupper() or node.__class__ is ast.ClassDef:
                    if name in allowed or name.startswith("_"):
                        continue
                    where = str(path.relative_to(package))
                    assert name not in seen, f"{name} in both {seen[name]} and {where}"
                    seen[name] = where
