"""The import direction of docs/architecture.md, read from the source with `ast`.

    core  <-  {edge, firmware_bridge, training}  <-  export

Every `import` and `from ... import` statement of every module is checked, those inside
functions included (a lazy import is still a dependency). tests/test_import_isolation.py
proves the same at run time for the device side, in a subprocess where torch cannot load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "edge", "firmware_bridge", "training", "export")
HEAVY = {"torch", "transformers", "accelerate", "onnx", "onnxscript", "safetensors", "tokenizers"}

# The project packages each one may import (besides itself).
ALLOWED_PACKAGES = {
    "core": set(),
    "edge": {"core"},
    "firmware_bridge": {"core", "edge"},  # edge only through BRIDGE_EDGE_MODULES
    "training": {"core", "edge"},  # edge only through TRAINING_EDGE_MODULES
    "export": {"core", "edge", "training"},
}
# Third-party packages core may import: numpy at module level; soxr and soundfile only
# inside the functions that need them, so `import core` needs numpy alone.
CORE_THIRD_PARTY = {"numpy"}
CORE_LAZY_THIRD_PARTY = {"soxr", "soundfile", "tomli"}  # tomli: TOML on Python 3.10

# The bridge reaches the daemon through its socket protocol and client, nothing else:
# the messages (edge.protocol), the client (the edge.client modules) and the client's
# exceptions (edge.errors). Reconnect timing is core.backoff, shared with the microphone.
BRIDGE_EDGE_MODULES = {
    "edge.protocol",
    "edge.client.address",
    "edge.client.connection",
    "edge.client.requests",
    "edge.client.events",
    "edge.errors",
}
# `listen eval --bundle` scores a bundle with the device's own assistant (lazily imported).
TRAINING_EDGE_MODULES = {"edge.assistant"}

# Edges that break the rule today, each with the issue that removes it. The tests below
# fail if one disappears without being struck from this list, so the list cannot go stale.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import statement in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if node.module is None or mod in PACKAGES:  # `from core import audio`: the submodules
                found += [(f"{mod}.{alias.name}", id(node) in top) for alias in node.names]
            else:
                found.append((mod, id(node) in top))
    return found


def _project_module(imported: str) -> str | None:
    """The project module an import names (a symbol's module for `from edge.x import Y`)."""
    parts = imported.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _edges() -> list[tuple[str, str, bool]]:
    """(importer, imported, at module level) over the whole tree, imported as written."""
    return [(name, imported, top) for name, path in MODULES.items() for imported, top in _imports(name, path)]


EDGES = _edges()


def _pkg(module: str) -> str:
    return module.split(".")[0]


def test_the_parser_sees_the_imports_it_must():
    """A must-fail control: known imports are found, lazy ones included."""
    pairs = {(a, b) for a, b, _ in EDGES}
    assert ("core.bundle", "core.manifest") in pairs
    assert ("firmware_bridge.settings", "firmware_bridge.controller") in pairs
    assert any(a == "training.eval.runners" and b == "edge.assistant" for a, b in pairs)  # inside a function
    assert ("edge.assistant", "core.audio") in pairs  # `from core import audio as af`


@pytest.mark.parametrize("pkg", PACKAGES)
def test_project_imports_follow_the_direction(pkg):
    bad = []
    for importer, imported, _ in EDGES:
        target = _project_module(imported)
        if _pkg(importer) != pkg or target is None or _pkg(target) == pkg:
            continue
        if (importer, target) in KNOWN_EXCEPTIONS:
            continue
        ok = _pkg(target) in ALLOWED_PACKAGES[pkg]
        if pkg == "firmware_bridge" and _pkg(target) == "edge":
            ok = target in BRIDGE_EDGE_MODULES
        if pkg == "training" and _pkg(target) == "edge":
            ok = target in TRAINING_EDGE_MODULES
        if not ok:
            bad.append(f"{importer} imports {target}")
    assert not bad, "imports against docs/architecture.md:\n" + "\n".join(bad)


@pytest.mark.parametrize("pkg", ["core", "edge", "firmware_bridge"])
def test_the_device_side_imports_no_torch(pkg):
    bad = [f"{a} imports {b}" for a, b, _ in EDGES if _pkg(a) == pkg and _pkg(b) in HEAVY]
    assert not bad, "\n".join(bad)


def test_core_needs_numpy_alone_at_import():
    stdlib = __import__("sys").stdlib_module_names
    bad = []
    for importer, imported, top in EDGES:
        root = _pkg(imported)
        if _pkg(importer) != "core" or root in stdlib or root == "core":
            continue
        if root in CORE_THIRD_PARTY or (root in CORE_LAZY_THIRD_PARTY and not top):
            continue
        bad.append(f"{importer} imports {imported}" + (" at module level" if top else ""))
    assert not bad, "\n".join(bad)


def test_no_cycle_between_packages():
    graph = {p: set() for p in PACKAGES}
    for importer, imported, _ in EDGES:
        target = _project_module(imported)
        if target and _pkg(target) != _pkg(importer) and (importer, target) not in KNOWN_EXCEPTIONS:
            graph[_pkg(importer)].add(_pkg(target))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph[start])

    cycles = sorted(p for p in PACKAGES if reaches(p, p, {p}))
    assert not cycles, f"packages on an import cycle: {cycles} ({graph})"


def test_known_exceptions_still_exist():
    """Strike an entry from KNOWN_EXCEPTIONS when its import is gone."""
    pairs = {(a, _project_module(b)) for a, b, _ in EDGES}
    assert not KNOWN_EXCEPTIONS - pairs, f"fixed, remove from KNOWN_EXCEPTIONS: {sorted(KNOWN_EXCEPTIONS - pairs)}"


# training/ in layers, lowest first: a module may import its own layer and the ones below,
# lazily or not. A module belongs to the longest prefix listed. The CLIs sit on top.
TRAINING_LAYERS: list[tuple[str, ...]] = [
    ("training", "training.errors", "training.jsonl", "training.config_io", "training.provenance"),
    ("training.backbones",),
    ("training.corpus",),
    ("training.synth",),
    ("training.model",),
    ("training.data",),
    ("training.eval",),  # below train: training validates with it
    ("training.train",),
    ("training.presence",),
    ("training.cli", "training.models_command"),
]


def _training_layer(module: str) -> int:
    best = max((p for layer in TRAINING_LAYERS for p in layer if module == p or module.startswith(p + ".")), key=len)
    return next(i for i, layer in enumerate(TRAINING_LAYERS) if best in layer)


def test_every_training_module_has_a_layer():
    assert all(_training_layer(m) >= 0 for m in MODULES if _pkg(m) == "training")


def test_training_imports_go_down_its_layers_lazy_imports_included():
    bad = []
    for importer, imported, top in EDGES:
        target = _project_module(imported)
        if _pkg(importer) != "training" or target is None or _pkg(target) != "training":
            continue
        if _training_layer(target) > _training_layer(importer):
            bad.append(f"{importer} imports {target}" + ("" if top else " (inside a function)"))
    assert not bad, "imports against TRAINING_LAYERS:\n" + "\n".join(sorted(set(bad)))


def _circles(graph: dict[str, set[str]]) -> list[str]:
    """One line per import circle found by a depth-first walk ("a -> b -> a")."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    circles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return circles


def test_no_circle_between_training_modules():
    """Module-level circles, lazy imports included (a function-level import hid corpus's circle)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES if _pkg(m) == "training"}
    for importer, imported, _ in EDGES:
        target = _project_module(imported)
        if importer in graph and target in graph and target != importer:
            graph[importer].add(target)
    circles = _circles(graph)
    assert not circles, "\n".join(circles)


def test_the_circle_check_sees_a_circle():
    """A must-fail control: the two circles corpus had (one through a lazy import) are found."""
    graph = {"recordings": {"sources.discover"}, "sources.discover": {"recordings", "sources.themes"},
             "sources.themes": {"recordings"}, "events": {"ontology"}, "ontology": {"events"}}
    assert _circles(graph) == ["events -> ontology -> events", "recordings -> sources.discover -> recordings",
                               "recordings -> sources.discover -> sources.themes -> recordings"]


def test_the_training_layer_check_sees_a_lazy_import_against_it():
    """A must-fail control: eval importing presence inside a function would be caught."""
    assert _training_layer("training.presence.calibration") > _training_layer("training.eval.score")
    assert _training_layer("training.corpus.sources.discover") == _training_layer("training.corpus")


# training's errors: one family, every class in training/errors.py, all under TrainingError.
BUILTIN_EXCEPTIONS = {n for n, v in vars(__import__("builtins")).items()
                      if isinstance(v, type) and issubclass(v, BaseException)}


def _class_bases(sources: dict[str, str]) -> dict[tuple[str, str], list[str]]:
    """(module, class) -> the last name of each base, for every class statement (nested ones too)."""
    out = {}
    for module, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                out[(module, node.name)] = [ast.unparse(b).rpartition(".")[2] for b in node.bases]
    return out


def _exception_classes(bases: dict[tuple[str, str], list[str]]) -> set[tuple[str, str]]:
    """The classes that derive, through any chain of named bases, from a built-in exception."""
    names, found = set(BUILTIN_EXCEPTIONS), set()
    while True:
        new = {key for key, b in bases.items() if key not in found and names.intersection(b)}
        if not new:
            return found
        found |= new
        names |= {name for _, name in new}


def _training_error_defects(sources: dict[str, str]) -> list[str]:
    bases = _class_bases(sources)
    errors = _exception_classes(bases)
    bad = [f"{m}.{n} is an exception defined outside training/errors.py" for m, n in sorted(errors)
           if _pkg(m) == "training" and m != "training.errors"]
    family = {n: b for (m, n), b in bases.items() if m == "training.errors"}

    def under_root(name: str, seen: frozenset = frozenset()) -> bool:
        return name == "TrainingError" or any(b in family and b not in seen and under_root(b, seen | {b})
                                              for b in family[name])

    bad += [f"training.errors.{n} does not derive from TrainingError" for n in sorted(family) if not under_root(n)]
    if family.get("TrainingError") != ["ListenError"]:
        bad.append("training.errors.TrainingError must derive from core.errors.ListenError alone")
    return bad


def test_every_training_error_is_a_training_error_in_training_errors():
    sources = {name: path.read_text() for name, path in MODULES.items()}
    assert not _training_error_defects(sources), "\n".join(_training_error_defects(sources))


def test_the_error_check_sees_an_error_defined_elsewhere():
    """A must-fail control: a new exception class anywhere else under training/ is caught, however it derives."""
    sources = {name: path.read_text() for name, path in MODULES.items()}
    sources["training.model.extra"] = ("class FooError(Exception): pass\n"
                                       "class Bar(errors.CheckpointError): pass\n"
                                       "def f():\n    class Baz(OSError): pass\n")
    sources["training.errors"] += "\nclass LoneError(ListenError):\n    pass\n"
    assert _training_error_defects(sources) == [
        "training.model.extra.Bar is an exception defined outside training/errors.py",
        "training.model.extra.Baz is an exception defined outside training/errors.py",
        "training.model.extra.FooError is an exception defined outside training/errors.py",
        "training.errors.LoneError does not derive from TrainingError",
    ]


# Packages stay browsable: past this many modules side by side, parts become sub-packages.
MAX_TOP_LEVEL_MODULES = 20


@pytest.mark.parametrize("pkg", PACKAGES)
def test_each_package_has_at_most_20_modules_at_its_top_level(pkg):
    entries = [p.name for p in (REPO / pkg).iterdir()
               if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()]
    assert len(entries) <= MAX_TOP_LEVEL_MODULES, f"{pkg}/ has {len(entries)}: {sorted(entries)}"


def test_each_shared_definition_exists_once():
    """says_yes, LabelMatcher, resample, read_audio, subsample: one `def`/`class` each in the tree."""
    wanted = {"answer_says_yes", "paper_says_yes", "LabelMatcher", "resample", "read_audio", "subsample",
              "read_clip_index", "bind", "read_settings", "Sampling", "check_audio", "Backoff"}
    found: dict[str, list[str]] = {name: [] for name in wanted}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in wanted:
                found[node.name].append(name)
    assert {k: v for k, v in found.items() if len(v) != 1} == {}


def test_the_sample_rate_is_written_once():
    """Any constant named like SAMPLE_RATE (SAMPLE_RATE_HZ, ...) is core.audio's, imported, never retyped."""
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            found += [f"{name}.{t.id}" for t in targets if isinstance(t, ast.Name) and "SAMPLE_RATE" in t.id]
    assert found == ["core.audio.SAMPLE_RATE"]


def test_no_two_modules_share_a_name_that_means_one_thing():
    """One `audio_io`: reading audio is core.audio_io; training's clip writer has its own name."""
    for stem in ("audio_io", "backoff"):
        assert [n for n in MODULES if n.rpartition(".")[2] == stem] == [f"core.{stem}"]
