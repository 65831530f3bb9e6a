"""Every notebooks/NN_*.ipynb follows the conventions of docs/ARCHITECTURE.md: committed without outputs,
kernel metadata, a first markdown cell with Inputs / Outputs / Parameters, a papermill `parameters` cell of
plain literal assignments, and a jupytext .py pair with the same cells."""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest

from kzlib.paths import NOTEBOOKS
from kzlib.report import NOTEBOOK_NAME

NOTEBOOK_PATHS = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
REQUIRED_PARAMETERS = {"corpus", "output_dir", "ledger"}


def test_there_are_notebooks():
    assert NOTEBOOK_PATHS, f"no NN_*.ipynb in {NOTEBOOKS}"


def _read(path):
    return nbformat.read(path, as_version=4)


def literal_assignments(source: str) -> dict:
    """{name: value} of a cell made only of `name = <literal>` lines; AssertionError on anything else."""
    values = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"not a plain assignment: {ast.unparse(node)!r}")
        values[node.targets[0].id] = ast.literal_eval(node.value)  # raises on anything but a literal
    return values


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_valid_and_committed_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {number} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {number} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_kernel_and_language_metadata(path):
    meta = _read(path).metadata
    assert meta.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec name"
    assert meta.get("kernelspec", {}).get("language") == "python", f"{path.name}: kernelspec language"
    assert meta.get("language_info", {}).get("name") == "python", f"{path.name}: language_info missing"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_first_cell_is_markdown_with_inputs_outputs_parameters(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown", f"{path.name}: first cell is {first.cell_type}"
    assert first.source.lstrip().startswith("# "), f"{path.name}: first cell has no title"
    for word in ("Inputs", "Outputs", "Parameters"):
        assert word in first.source, f"{path.name}: first cell does not mention {word}"


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_parameters_cell_holds_only_literals(path):
    cells = [c for c in _read(path).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged parameters"
    assert cells[0].cell_type == "code"
    values = literal_assignments(cells[0].source)
    assert REQUIRED_PARAMETERS <= values.keys(), f"{path.name}: missing {REQUIRED_PARAMETERS - values.keys()}"
    assert all(isinstance(values[name], str) for name in REQUIRED_PARAMETERS)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.stem)
def test_jupytext_pair_has_the_same_cells(path):
    pair = path.with_suffix(".py")
    assert pair.is_file(), f"{path.name}: paired {pair.name} missing (make sync-notebooks)"
    nb, py = _read(path), jupytext.read(pair)
    assert [(c.cell_type, c.source.strip()) for c in nb.cells] == [(c.cell_type, c.source.strip()) for c in py.cells]
    assert "py:percent" in str(nb.metadata.get("jupytext", {}).get("formats", "")), f"{path.name}: not paired"


def test_literal_check_rejects_code():
    assert literal_assignments('corpus = "data/corpus.csv"\nn = 3') == {"corpus": "data/corpus.csv", "n": 3}
    for bad in ('corpus = ROOT / "data"', "import os", 'x, y = "a", "b"', 'corpus = str(1)'):
        with pytest.raises((AssertionError, ValueError)):
            literal_assignments(bad)
