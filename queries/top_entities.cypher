// Top entities of a type by paper count.
//
// Entities ranked by the number of distinct papers that mention them, then by the
// total number of mentions. `type` is method, dataset, benchmark, metric, task, or all.
//
// @param type: str = method  Entity type (method, dataset, benchmark, metric, task) or all.
// @param limit: int = 20  Most rows.
// @example kg query top_entities --param type=dataset --param limit=10
MATCH (e:Entity)
WHERE toLower($type) = 'all' OR e.type = toLower($type)
OPTIONAL MATCH (p:Paper)-[m:MENTIONS]->(e)
WITH e, count(DISTINCT p) AS papers, sum(coalesce(m.count, 0)) AS mentions
RETURN e.name AS name, e.type AS type, papers, mentions
ORDER BY papers DESC, mentions DESC, name
LIMIT $limit
