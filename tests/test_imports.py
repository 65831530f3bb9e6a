"""The import graph of kzlib has no cycle (tools/import_cycles.py; lazy imports inside functions count)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_import_cycle_among_kzlib_modules():
    spec = importlib.util.spec_from_file_location("import_cycles", ROOT / "tools" / "import_cycles.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    graph = tool.import_graph(ROOT / "src" / "kzlib")
    assert "kzlib.claims" in graph and "kzlib.attribution" in graph["kzlib.claims"]   # the graph is read
    assert tool.cycles(graph) == []
    assert tool.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
