#!/usr/bin/env python3
"""Regenerate schema/ontology.ttl and schema/shapes.ttl from schema/graph.toml.

Run after changing schema/graph.toml or kg/rdf/vocab.toml:

    python scripts/generate_rdf_schema.py          # rewrite the files
    python scripts/generate_rdf_schema.py --check  # exit 1 when they are stale (CI)
"""
from __future__ import annotations

import sys

from kg.rdf.schema_files import stale_schema_files, write_schema_files


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_schema_files()
        for name in stale:
            print(f"schema/{name} is stale: run python scripts/generate_rdf_schema.py", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schema_files():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
