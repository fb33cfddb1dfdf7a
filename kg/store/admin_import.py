"""The typed graph as CSV files for ``neo4j-admin database import full`` (fresh, very large loads).

``neo4j-admin`` writes the store files directly, without transactions: for millions of
relationships it is far faster than any Cypher load, but it only creates a new database
(the server must be stopped, the target is replaced). One file per node label and per
relationship type, headers generated from the schema:

    nodes_Method.csv    id:ID,name:string,type:string,aliases:string[],...,:LABEL
    rels_MENTIONS.csv   :START_ID,:END_ID,:TYPE,count:long,paper_id:string,...

Node ids share one id space (they are unique across labels in the graph), the ``id`` column
is also stored as the ``id`` property, entity nodes carry their parent label (``Method;Entity``).
Strings are always quoted, numbers never, a missing value is an empty field (no property).
``import.sh`` beside the files holds the exact command; ``schema.cypher`` the constraints
and indexes to create once the server is started again.

    >>> from kg.schema import load_schema
    >>> node_header(load_schema(), "Metric")[:3]
    ['id:ID', 'name:string', 'type:string']
"""
from __future__ import annotations

import csv
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import atomic_open, atomic_write_text
from kg.errors import SchemaError

# schema type -> neo4j-admin import column type
COLUMN_TYPES = {"string": "string", "integer": "long", "float": "double", "boolean": "boolean", "date": "string",
                "list[string]": "string[]", "list[integer]": "long[]"}
# tried in order: the first that occurs in no array value becomes the array delimiter (the 41k
# corpus has aliases with ";" and "|"; U+001F, the ASCII unit separator, is meant for this)
DELIMITERS = (";", "|", "\u001f", "\u2016")


def char_option(char: str) -> str:
    """A character as neo4j-admin options take it: itself if printable ASCII, else ``U+XXXX``
    (argv encodings differ; neo4j-admin reads that notation for any character)."""
    return char if " " < char < "\x7f" else f"U+{ord(char):04X}"


@dataclass
class AdminImport:
    """What :func:`write_admin_import` wrote."""

    directory: Path
    node_files: dict[str, Path] = field(default_factory=dict)
    relationship_files: dict[str, Path] = field(default_factory=dict)
    nodes: int = 0
    relationships: int = 0
    array_delimiter: str = ";"
    command_file: Path | None = None
    schema_file: Path | None = None

    def command(self, neo4j_admin: str = "neo4j-admin", database: str = "neo4j") -> list[str]:
        """The import command as argv, with file paths relative to ``directory``."""
        # the database comes before the file options: --nodes/--relationships take one or more values
        argv = [neo4j_admin, "database", "import", "full", database, "--overwrite-destination=true",
                f"--array-delimiter={char_option(self.array_delimiter)}", "--multiline-fields=true", "--id-type=string"]
        argv += [f"--nodes={path.name}" for path in self.node_files.values()]
        argv += [f"--relationships={path.name}" for path in self.relationship_files.values()]
        return argv


def _column_type(prop, where: str) -> str:
    try:
        return COLUMN_TYPES[prop.type]
    except KeyError:
        raise SchemaError(f"property type {prop.type!r} has no neo4j-admin column type", where=where,
                          fix=f"use one of {', '.join(COLUMN_TYPES)} in schema/graph.toml") from None


def _all_node_properties(schema, label: str):
    return [p for p in schema.node_properties(label)]


def node_header(schema, label: str) -> list[str]:
    """``key:ID`` first, then every schema property typed, then ``:LABEL``."""
    props = _all_node_properties(schema, label)
    key = next(p for p in props if p.key)
    columns = [f"{key.name}:ID"]
    columns += [f"{p.name}:{_column_type(p, f'{label}.{p.name}')}" for p in props if not p.key]
    return columns + [":LABEL"]


def relationship_header(schema, rel_type: str) -> list[str]:
    """``:START_ID``, ``:END_ID``, ``:TYPE``, then every schema property typed."""
    props = schema.relationship_properties(rel_type)
    return [":START_ID", ":END_ID", ":TYPE"] + [f"{p.name}:{_column_type(p, f'{rel_type}.{p.name}')}" for p in props]


def _labels(schema, label: str) -> list[str]:
    out, node = [label], schema.node(label)
    while node.extends:
        out.append(node.extends)
        node = schema.node(node.extends)
    return out


def choose_delimiter(graph) -> str:
    """An array delimiter that no list value of ``graph`` contains."""
    seen: set[str] = set()
    for _, attrs in graph.nodes(data=True):
        for value in attrs.values():
            if isinstance(value, (list, tuple)):
                seen.update(ch for item in value for ch in str(item) if ch in DELIMITERS)
    for _, _, attrs in graph.edges(data=True):
        for value in attrs.values():
            if isinstance(value, (list, tuple)):
                seen.update(ch for item in value for ch in str(item) if ch in DELIMITERS)
    for candidate in DELIMITERS:
        if candidate not in seen:
            return candidate
    raise SchemaError("every candidate array delimiter occurs in some list value", where="graph",
                      fix=f"add another character to DELIMITERS in {__name__}")


def _cell(value, column_type: str, delimiter: str):
    if value is None:
        return None
    if column_type.endswith("[]"):
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        return delimiter.join("true" if v is True else "false" if v is False else str(v) for v in items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if column_type == "string":
        return str(value)
    return value


def _write_csv(path: Path, header: list[str], rows) -> int:
    count = 0
    with atomic_open(path, "w", encoding="utf-8") as handle:  # newline="" (csv) is its default
        handle.write(",".join(header) + "\n")  # plain names: neo4j-admin reads the header unquoted
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_admin_import(graph, directory: str | Path, schema=None) -> AdminImport:
    """Write node and relationship CSV files, ``import.sh`` and ``schema.cypher`` into ``directory``."""
    from kg.schema import load_schema
    from kg.store.cypher import schema_statements

    schema = schema or load_schema()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    result = AdminImport(directory=out, array_delimiter=choose_delimiter(graph))
    delimiter = result.array_delimiter

    by_label: dict[str, list] = {}
    for node_id, attrs in sorted(graph.nodes(data=True), key=lambda item: item[0]):
        label = attrs.get("label")
        if label not in schema.nodes or schema.node(label).abstract:
            raise SchemaError(f"node has no concrete schema label ({label!r})", where=f"node {node_id!r}",
                              fix="build the graph with kg.graph")
        by_label.setdefault(label, []).append((node_id, attrs))
    for label in sorted(by_label):
        header = node_header(schema, label)
        props = [p for p in _all_node_properties(schema, label) if not p.key]
        types = [COLUMN_TYPES[p.type] for p in props]
        labels = delimiter.join(_labels(schema, label))
        rows = ([str(node_id)] + [_cell(attrs.get(p.name), t, delimiter) for p, t in zip(props, types)] + [labels]
                for node_id, attrs in by_label[label])
        path = out / f"nodes_{label}.csv"
        result.nodes += _write_csv(path, header, rows)
        result.node_files[label] = path

    by_type: dict[str, list] = {}
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        rel_type = attrs.get("type") or str(key).split("|", 1)[0]
        if rel_type not in schema.relationships:
            raise SchemaError(f"relationship type {rel_type!r} is not in the schema",
                              where=f"edge {source!r} -> {target!r}", fix="build the graph with kg.graph")
        by_type.setdefault(rel_type, []).append((source, target, str(key), attrs))
    for rel_type in sorted(by_type):
        header = relationship_header(schema, rel_type)
        props = list(schema.relationship_properties(rel_type))
        types = [COLUMN_TYPES[p.type] for p in props]
        edges = sorted(by_type[rel_type], key=lambda e: (e[0], e[1], e[2]))
        rows = ([str(s), str(t), rel_type] + [_cell(attrs.get(p.name), ty, delimiter) for p, ty in zip(props, types)]
                for s, t, _, attrs in edges)
        path = out / f"rels_{rel_type}.csv"
        result.relationships += _write_csv(path, header, rows)
        result.relationship_files[rel_type] = path

    result.schema_file = out / "schema.cypher"
    atomic_write_text(result.schema_file, "".join(s + ";\n" for s in schema_statements(schema)))
    result.command_file = out / "import.sh"
    atomic_write_text(result.command_file, _script(result))
    result.command_file.chmod(0o755)
    return result


def _script(result: AdminImport) -> str:
    argv = result.command("neo4j-admin", "neo4j")[5:]  # the tool and the database are chosen at run time
    lines = " \\\n    ".join(['"${NEO4J_ADMIN:-neo4j-admin}" database import full "${1:-neo4j}"'] +
                                 [shlex.quote(part) for part in argv])
    return f"""#!/bin/sh
# Fresh bulk load of this graph ({result.nodes} nodes, {result.relationships} relationships)
# with neo4j-admin. It REPLACES the target database: stop the server first.
#   sh import.sh [DATABASE]        (default neo4j; NEO4J_ADMIN=/path/to/neo4j-admin to pick one)
# Then start the server and create the constraints and indexes:
#   cypher-shell -f schema.cypher  (or run kg build ... --neo4j once, which creates them first)
set -e
cd "$(dirname "$0")"
{lines}
"""
