"""Scale features without timing: the same graph from 1 and 2 processes, and well-formed
CSV files for ``neo4j-admin database import`` whose headers follow the schema."""
from __future__ import annotations

import csv

import pytest

from kg.graph.snapshot import dumps
from kg.pipeline import build_graph
from kg.schema import load_schema
from kg.store.admin_import import COLUMN_TYPES, char_option, node_header, relationship_header, write_admin_import

from seed_corpus import seed_papers


@pytest.fixture(scope="module")
def papers():
    return list(seed_papers()[:24])


@pytest.fixture(scope="module")
def graph(papers):
    built, _ = build_graph(papers, use_model=False)
    return built


def test_two_processes_give_the_same_bytes_as_one(papers, graph):
    parallel, report = build_graph(list(reversed(papers)), use_model=False, n_process=2, partition_size=5)
    assert report.extracted == len(papers)
    assert dumps(parallel) == dumps(graph)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_admin_import_headers_follow_the_schema(graph, tmp_path):
    schema = load_schema()
    written = write_admin_import(graph, tmp_path)
    labels = {a["label"] for _, a in graph.nodes(data=True)}
    types = {a["type"] for _, _, a in graph.edges(data=True)}
    assert set(written.node_files) == labels and set(written.relationship_files) == types
    for label, path in written.node_files.items():
        header, _ = read_rows(path)
        assert header == node_header(schema, label)
        assert header[0] == "id:ID" and header[-1] == ":LABEL"
        declared = {p.name: COLUMN_TYPES[p.type] for p in schema.node_properties(label) if not p.key}
        assert dict(column.split(":") for column in header[1:-1]) == declared
    for rel_type, path in written.relationship_files.items():
        header, _ = read_rows(path)
        assert header == relationship_header(schema, rel_type)
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        declared = {p.name: COLUMN_TYPES[p.type] for p in schema.relationship_properties(rel_type)}
        assert dict(column.split(":") for column in header[3:]) == declared


def test_admin_import_rows_hold_the_whole_graph(graph, tmp_path):
    written = write_admin_import(graph, tmp_path)
    assert written.nodes == graph.number_of_nodes() and written.relationships == graph.number_of_edges()
    delimiter = written.array_delimiter
    ids = set()
    for label, path in written.node_files.items():
        header, rows = read_rows(path)
        for row in rows:
            assert len(row) == len(header)
            node = graph.nodes[row[0]]
            assert node["label"] == label and row[-1].split(delimiter)[0] == label
            for column, cell in zip(header[1:-1], row[1:-1]):
                name, kind = column.split(":")
                value = node.get(name)
                if value is None:
                    assert cell == ""
                elif kind.endswith("[]"):
                    assert cell.split(delimiter) == [str(v) for v in value]
                elif kind == "string":
                    assert cell == str(value)
                else:
                    assert float(cell) == float(value)
            ids.add(row[0])
    assert ids == set(graph.nodes)
    for rel_type, path in written.relationship_files.items():
        header, rows = read_rows(path)
        assert len(rows) == sum(1 for _, _, a in graph.edges(data=True) if a["type"] == rel_type)
        for row in rows:
            assert len(row) == len(header) and row[2] == rel_type
            assert row[0] in ids and row[1] in ids and graph.has_edge(row[0], row[1])


def test_admin_import_writes_the_command_and_the_schema(graph, tmp_path):
    from kg.store import schema_statements

    written = write_admin_import(graph, tmp_path)
    script = written.command_file.read_text(encoding="utf-8")
    assert "database import full" in script and "--multiline-fields=true" in script
    for path in list(written.node_files.values()) + list(written.relationship_files.values()):
        assert path.name in script
    command = written.command()
    assert command[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"] and f"--array-delimiter={char_option(written.array_delimiter)}" in command
    statements = written.schema_file.read_text(encoding="utf-8").split(";\n")
    assert [s for s in statements if s] == schema_statements(load_schema())


def test_neo4j_admin_imports_the_files(graph, tmp_path):
    """The real ``neo4j-admin database import full`` (the project's Neo4j jars) reads every file."""
    import re
    import subprocess

    from kg.neo4jlocal import default_layout
    from kg.neo4jlocal.config import ADMIN_CLASS
    from kg.neo4jlocal.provision import find_java, is_provisioned, provision

    layout = default_layout()
    if not is_provisioned(layout):
        provision(layout)
    written = write_admin_import(graph, tmp_path / "csv")
    home = tmp_path / "home"
    (home / "conf").mkdir(parents=True)
    (home / "conf" / "neo4j.conf").write_text(f"server.directories.data={home / 'data'}\n"
                                              f"server.directories.logs={home / 'logs'}\n")
    java = [find_java(), "-cp", f"{home / 'conf'}/*:{layout.lib}/*", f"-Dbasedir={home}", ADMIN_CLASS]
    done = subprocess.run(java + written.command()[1:], cwd=written.directory, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")},
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "IMPORT DONE" in done.stdout
    assert int(re.search(r"(\d+) nodes", done.stdout).group(1)) == graph.number_of_nodes()
    assert int(re.search(r"(\d+) relationships", done.stdout).group(1)) == graph.number_of_edges()


def test_delimiter_avoids_characters_in_aliases_and_is_passed_portably(graph):
    from kg.store.admin_import import choose_delimiter

    tricky = graph.copy()
    entity = next(n for n, a in tricky.nodes(data=True) if "aliases" in a)
    tricky.nodes[entity]["aliases"] = list(tricky.nodes[entity]["aliases"]) + ["a;b", "c|d"]
    delimiter = choose_delimiter(tricky)
    assert delimiter == "\u001f" and char_option(delimiter) == "U+001F"
