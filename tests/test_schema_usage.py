"""Code must not name a label or relationship type that schema/graph.toml does not declare.

Scans kg/, loaders/ and queries/: every Cypher pattern in a string literal or a .cypher file
(``(n:Label)``, ``[:TYPE]``, ``-[r:TYPE]->``), and in graph-building code every ``label``
value and every relationship-type-looking constant (``"MENTIONS"``, ``type="..."``).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from kg.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "kg", ROOT / "loaders", ROOT / "queries"]
# Modules that build or read the typed graph: their ``label=`` / ``"type":`` values are checked.
GRAPH_CODE = ["kg/graph", "kg/pipeline.py", "kg/extract/records.py", "kg/store", "kg/rdf", "kg/viz"]
# Modules where every bare upper-case constant ("MENTIONS") is a relationship type.
TYPE_CONSTANT_CODE = ("kg/graph", "kg/pipeline.py", "kg/extract/records.py")

NODE_PATTERN = re.compile(r"\(\s*[A-Za-z_]\w*\s*((?::\s*`?[A-Za-z_]\w*`?\s*)+)[\s{)]")
LABEL_IN_PATTERN = re.compile(r":\s*`?([A-Za-z_]\w*)`?")
REL_PATTERN = re.compile(r"\[\s*[A-Za-z_]?\w*\s*:\s*([A-Z_|:`\s]+?)\s*[\]{*]")
REL_CONSTANT = re.compile(r"^[A-Z][A-Z]+(?:_[A-Z]+)*$")
ALLOWED_CONSTANTS = {"POST", "GET", "PUT", "DELETE", "HEAD", "PATCH", "JSON", "CSV", "RDF", "URI", "UTF", "OWL",
                     "XSD", "SHACL", "SPARQL", "DESC", "ASC", "TITLE", "ID"}


def _strings(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".cypher":
        return [(1, path.read_text(encoding="utf-8"))]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def cypher_names(text: str) -> tuple[set[str], set[str]]:
    """Labels and relationship types named by Cypher patterns in ``text``.

    >>> labels, types = cypher_names("MATCH (p:Paper)-[:MENTIONS]->(e:Entity:Method {id: $id})")
    >>> sorted(labels), sorted(types)
    (['Entity', 'Method', 'Paper'], ['MENTIONS'])
    """
    labels, types = set(), set()
    for match in NODE_PATTERN.finditer(text):
        labels.update(LABEL_IN_PATTERN.findall(match.group(1)))
    for match in REL_PATTERN.finditer(text):
        types.update(t.strip(" `:") for t in re.split(r"[|]", match.group(1)) if t.strip(" `:"))
    return labels, types


def _looks_like_cypher(text: str) -> bool:
    return bool(re.search(r"\b(MATCH|MERGE|CREATE|UNWIND|RETURN)\b", text))


def _graph_code_names(path: Path, bare_constants: bool = True) -> tuple[set[str], set[str]]:
    """``label`` values and relationship-type constants in graph-building Python code."""
    labels, types = set(), set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in ("label", "type") and \
                        isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if key.value == "label":
                        labels.add(value.value)
                    elif REL_CONSTANT.match(value.value):
                        types.add(value.value)
        elif isinstance(node, ast.keyword) and node.arg in ("label", "type", "key") and \
                isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            if node.arg == "label":
                labels.add(node.value.value)
            elif REL_CONSTANT.match(node.value.value):
                types.add(node.value.value)
        elif bare_constants and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and REL_CONSTANT.match(node.value) \
                and len(node.value) > 3 and node.value not in ALLOWED_CONSTANTS:
            types.add(node.value)
    return labels, types


def _graph_code_paths():
    for entry in GRAPH_CODE:
        target = ROOT / entry
        paths = [target] if target.is_file() else sorted(target.rglob("*.py")) if target.exists() else []
        for path in paths:
            yield path, str(path.relative_to(ROOT)).startswith(TYPE_CONSTANT_CODE)


def _files():
    for folder in SCANNED:
        yield from sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".cypher") and "__pycache__" not in p.parts)


def test_cypher_names_only_declared_labels_and_types():
    schema = load_schema()
    problems = []
    for path in _files():
        for line, text in _strings(path):
            if path.suffix == ".py" and not _looks_like_cypher(text):
                continue
            labels, types = cypher_names(text)
            problems += [f"{path.relative_to(ROOT)}:{line}: label {l!r}" for l in labels - set(schema.nodes)]
            problems += [f"{path.relative_to(ROOT)}:{line}: type {t!r}" for t in types - set(schema.relationships)]
    assert problems == [], "declare these in schema/graph.toml or fix the code:\n" + "\n".join(problems)


def test_graph_code_names_only_declared_labels_and_types():
    schema = load_schema()
    problems = []
    for path, bare in _graph_code_paths():
        labels, types = _graph_code_names(path, bare)
        problems += [f"{path.relative_to(ROOT)}: label {l!r}" for l in labels - set(schema.nodes)]
        problems += [f"{path.relative_to(ROOT)}: type {t!r}" for t in types - set(schema.relationships)]
    assert problems == [], "declare these in schema/graph.toml or fix the code:\n" + "\n".join(problems)


def test_the_scanner_catches_undeclared_names(tmp_path):
    labels, types = cypher_names("MATCH (a:Author)-[:WROTE]->(p:Paper) MERGE (p)-[r:CITES {x: 1}]->(q:Paper)")
    assert labels == {"Author", "Paper"} and types == {"WROTE", "CITES"}
    code = tmp_path / "builder.py"
    code.write_text('graph.add_node(n, label="Author")\nattrs = {"type": "WROTE"}\nKIND = "CITES_PAPER"\n')
    assert _graph_code_names(code) == ({"Author"}, {"WROTE", "CITES_PAPER"})


def test_the_scanner_sees_the_names_the_project_uses():
    """Not vacuous: the real code does name labels and types, and the scanner finds them."""
    found_labels, found_types = set(), set()
    for path in _files():
        for _, text in _strings(path):
            labels, types = cypher_names(text)
            found_labels |= labels
            found_types |= types
    for path, bare in _graph_code_paths():
        labels, types = _graph_code_names(path, bare)
        found_labels |= labels
        found_types |= types
    assert {"Paper", "Result"} <= found_labels
    assert {"MENTIONS", "REPORTS", "VARIANT_OF"} <= found_types
