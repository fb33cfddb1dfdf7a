// The shortest paths between two entities, through papers and other entities.
//
// Up to `limit` shortest paths (at most 8 hops, any direction) between the entities
// named `source` and `target` (name or alias, any case), drawn as text with the
// relationship types and their directions. Papers show by title, results by value.
//
// @param source: str  First entity, by name or alias (any case).
// @param target: str  Second entity, by name or alias (any case).
// @param limit: int = 5  Most paths.
// @example kg query shortest_path --param source=BERT --param target=ImageNet
MATCH (a:Entity)
WHERE toLower(a.name) = toLower($source)
   OR any(alias IN a.aliases WHERE toLower(alias) = toLower($source))
MATCH (b:Entity)
WHERE toLower(b.name) = toLower($target)
   OR any(alias IN b.aliases WHERE toLower(alias) = toLower($target))
WITH a, b WHERE a <> b
MATCH path = allShortestPaths((a)-[*..8]-(b))
WITH path, nodes(path) AS ns, relationships(path) AS rs
WITH path, [n IN ns | coalesce(n.name, n.title, n.value, n.id)] AS names, rs
WITH length(path) AS hops, names,
     reduce(text = names[0], i IN range(0, size(rs) - 1) |
            text
            + CASE WHEN startNode(rs[i]) = nodes(path)[i]
                   THEN ' -[' + type(rs[i]) + ']-> '
                   ELSE ' <-[' + type(rs[i]) + ']- ' END
            + names[i + 1]) AS path_text
RETURN hops, path_text AS path, names AS nodes
ORDER BY hops, path
LIMIT $limit
