"""``kg entities`` and ``kg show``: canonical entities with their aliases, papers and evidence.

Both read a snapshot folder (``kg build --out DIR``) or, with ``--neo4j``, the database through
small parameterised Cypher statements (``kg.store.entities_cypher``-free: the text is below).
"""
from __future__ import annotations

import json

import click

from kg.cli.build import neo4j_settings
from kg.cli.options import neo4j_options

ENTITY_TYPES = ("method", "dataset", "benchmark", "metric", "task")

_ENTITY_FIELDS = ("e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases, "
                  "e.alias_counts AS alias_counts, e.paper_count AS paper_count, e.mention_count AS mention_count, "
                  "[l IN labels(e) WHERE l <> 'Entity'][0] AS label")
LIST_CYPHER = ("MATCH (e:Entity) WHERE $type IS NULL OR e.type = $type RETURN " + _ENTITY_FIELDS +
               " ORDER BY paper_count DESC, mention_count DESC, id LIMIT $top")
ALL_NAMES_CYPHER = "MATCH (e:Entity) RETURN " + _ENTITY_FIELDS
PAPERS_CYPHER = ("MATCH (p:Paper)-[m:MENTIONS]->(e:Entity {id: $id}) "
                 "RETURN p.id AS id, p.title AS title, m.count AS count, m.evidence AS evidence ORDER BY id")
RELATIONS_CYPHER = (
    "MATCH (e:Entity {id: $id})-[r]->(o) RETURN type(r) AS type, 'out' AS direction, o.id AS other, "
    "[l IN labels(o) WHERE l <> 'Entity'][0] AS other_label, coalesce(o.name, o.title, o.value) AS other_name, "
    "properties(r) AS props "
    "UNION ALL "
    "MATCH (o)-[r]->(e:Entity {id: $id}) WHERE type(r) <> 'MENTIONS' RETURN type(r) AS type, 'in' AS direction, "
    "o.id AS other, [l IN labels(o) WHERE l <> 'Entity'][0] AS other_label, "
    "coalesce(o.name, o.title, o.value) AS other_name, properties(r) AS props")


class Neo4jSource:
    """The same three lookups as kg.graph.lookup, answered by Neo4j."""

    def __init__(self, settings):
        from kg.connection import open_driver

        self.settings = settings
        self.driver = open_driver(settings)

    def _run(self, cypher: str, **params) -> list[dict]:
        records, _, _ = self.driver.execute_query(cypher, params, database_=self.settings.database,
                                                  routing_="r")
        return [record.data() for record in records]

    def list_entities(self, entity_type, top):
        return self._run(LIST_CYPHER, type=entity_type, top=top or 2**62)

    def find_entities(self, name: str) -> list[dict]:
        from kg.resolve.keys import surface_key

        wanted, key = name.strip().lower(), surface_key(name)
        rows = self._run(ALL_NAMES_CYPHER)
        exact = [r for r in rows if r["id"].lower() == wanted
                 or any(f.lower() == wanted for f in [r["name"], *r["aliases"]])]
        loose = [r for r in rows if any(surface_key(f) == key for f in [r["name"], *r["aliases"]])]
        return sorted(exact or loose, key=lambda r: (-r["paper_count"], r["id"]))

    def entity_detail(self, node: str) -> dict:
        detail = next(r for r in self._run(ALL_NAMES_CYPHER) if r["id"] == node)
        detail["papers"] = self._run(PAPERS_CYPHER, id=node)
        relations = []
        for row in self._run(RELATIONS_CYPHER, id=node):
            props = row.pop("props") or {}
            row.update({k: props[k] for k in ("paper_id", "sentence", "evidence", "rule", "confidence", "count",
                                               "dataset") if k in props})
            relations.append(row)
        detail["relations"] = sorted(relations, key=lambda r: (r["type"], r["direction"], r["other"],
                                                               r.get("paper_id") or ""))
        return detail

    def close(self):
        self.driver.close()


class SnapshotSource:
    def __init__(self, path):
        from kg.graph.snapshot import read_snapshot

        self.graph = read_snapshot(path)

    def list_entities(self, entity_type, top):
        from kg.graph.lookup import list_entities

        return list_entities(self.graph, entity_type, top)

    def find_entities(self, name):
        from kg.graph.lookup import find_entities

        return find_entities(self.graph, name)

    def entity_detail(self, node):
        from kg.graph.lookup import entity_detail

        return entity_detail(self.graph, node)

    def close(self):
        pass


def open_source(snapshot, from_neo4j, neo4j_params):
    from kg.errors import UsageError

    if from_neo4j == bool(snapshot):
        raise UsageError("give a snapshot DIR or --neo4j (one of them)",
                         fix="e.g. `kg entities out` or `kg entities --neo4j`")
    return Neo4jSource(neo4j_settings(neo4j_params)) if from_neo4j else SnapshotSource(snapshot)


def _aliases(row: dict, limit: int | None = None) -> str:
    pairs = list(zip(row["aliases"], row["alias_counts"]))
    text = ", ".join(f"{a} ({c})" for a, c in pairs[:limit])
    return text + (f", ... {len(pairs) - limit} more" if limit and len(pairs) > limit else "")


@click.command("entities")
@click.argument("snapshot", required=False, metavar="[DIR]")
@click.option("--neo4j", "from_neo4j", is_flag=True, help="Read from Neo4j instead of a snapshot.")
@click.option("--type", "entity_type", type=click.Choice(ENTITY_TYPES), default=None, help="Only this type.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the N most widespread.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of entities.")
@neo4j_options
def entities(snapshot, from_neo4j, entity_type, top, as_json, **neo4j_params):
    """List canonical entities with aliases and counts, most widespread first.

    \b
    Examples:
      kg entities out --type dataset --top 10
      kg entities --neo4j --json
    """
    source = open_source(snapshot, from_neo4j, neo4j_params)
    try:
        rows = source.list_entities(entity_type, top)
    finally:
        source.close()
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['name']}  [{row['type']}]  papers {row['paper_count']}, mentions {row['mention_count']}  "
                   f"{row['id']}")
        if len(row["aliases"]) > 1:
            click.echo(f"    aliases: {_aliases(row, 8)}")


def _print_detail(detail: dict) -> None:
    click.echo(f"{detail['name']}  [{detail['type']}]  {detail['id']}")
    click.echo(f"aliases: {_aliases(detail)}")
    click.echo(f"papers: {detail['paper_count']}, mentions: {detail['mention_count']}")
    for paper in detail["papers"]:
        click.echo(f"  {paper['id']}  {paper['title']}  (x{paper['count']})")
    click.echo(f"relations: {len(detail['relations'])}")
    for rel in detail["relations"]:
        arrow = f"-[{rel['type']}]-> {rel['other_name']} ({rel['other_label']})" if rel["direction"] == "out" \
            else f"<-[{rel['type']}]- {rel['other_name']} ({rel['other_label']})"
        click.echo(f"  {arrow}")
        if rel.get("evidence"):
            click.echo(f"      \"{rel['evidence']}\"  [{rel.get('paper_id')}, {rel.get('rule')}, "
                       f"{rel.get('confidence', 0):.2f}]")


@click.command("show")
@click.argument("name")
@click.argument("snapshot", required=False, metavar="[DIR]")
@click.option("--neo4j", "from_neo4j", is_flag=True, help="Read from Neo4j instead of a snapshot.")
@click.option("--json", "as_json", is_flag=True, help="The entity as one JSON object.")
@neo4j_options
def show(name, snapshot, from_neo4j, as_json, **neo4j_params):
    """Show one entity: type, aliases, papers, and each relation with its evidence sentence.

    NAME is the canonical name, any alias (case-insensitive) or the entity id.
    \b
    Examples:
      kg show RAG out
      kg show "BERT" --neo4j --json
    """
    from kg.errors import QueryError

    source = open_source(snapshot, from_neo4j, neo4j_params)
    try:
        hits = source.find_entities(name)
        if len(hits) == 1:
            detail = source.entity_detail(hits[0]["id"])
    finally:
        source.close()
    if not hits:
        raise QueryError(f"no entity is named {name!r}", where=snapshot or "neo4j",
                         fix="list names with `kg entities`")
    if len(hits) > 1:
        if as_json:
            click.echo(json.dumps({"ambiguous": hits}, indent=1, ensure_ascii=False))
        else:
            click.echo(f"{name!r} names {len(hits)} entities; show one by its id:")
            for hit in hits:
                click.echo(f"  {hit['id']}  [{hit['type']}]  {hit['name']}  (papers {hit['paper_count']})")
        raise SystemExit(1)
    if as_json:
        click.echo(json.dumps(detail, indent=1, ensure_ascii=False))
    else:
        _print_detail(detail)
