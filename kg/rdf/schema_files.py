"""The generated schema files: schema/ontology.ttl and schema/shapes.ttl.

They are committed so that users (and tools without Python) can read them, and
regenerated from schema/graph.toml + kg/rdf/vocab.toml; a test fails when they are stale.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.rdf.ontology import ontology_turtle
from kg.rdf.shapes import shapes_turtle

ONTOLOGY_FILE = "ontology.ttl"
SHAPES_FILE = "shapes.ttl"


@lru_cache(maxsize=1)
def generated() -> dict[str, str]:
    """File name -> the text it should hold (computed once per process: canonicalising takes a moment)."""
    return {ONTOLOGY_FILE: ontology_turtle(), SHAPES_FILE: shapes_turtle()}


def schema_dir() -> Path:
    return Path(str(resources.files("kg.schema")))


def write_schema_files(folder: str | Path | None = None) -> list[Path]:
    """(Re)write the ontology and shapes into ``folder`` (default: the schema package folder)."""
    folder = Path(folder) if folder else schema_dir()
    written = []
    for name, text in generated().items():
        atomic_write_text(folder / name, text)
        written.append(folder / name)
    return written


def stale_schema_files(folder: str | Path | None = None) -> list[str]:
    """Names of the files in ``folder`` that differ from what the schema generates."""
    folder = Path(folder) if folder else schema_dir()
    return [name for name, text in generated().items()
            if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text]


def load_shapes():
    """The packaged SHACL shapes as an rdflib Graph (what ``kg export --validate`` checks against)."""
    from rdflib import Graph

    text = resources.files("kg.schema").joinpath(SHAPES_FILE).read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")
