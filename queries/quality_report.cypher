// Quality: a summary of the graph's suspicious spots, one row per check.
//
// Counts with up to `examples` names each: entities mentioned once, entities no paper
// mentions, papers without entities, results missing a method, dataset or metric,
// names shared by two entities of one type, and methods said to outperform themselves.
//
// @param examples: int = 5  How many examples per check.
// @example kg query quality_report
MATCH (e:Entity)
WHERE reduce(total = 0, m IN [(:Paper)-[r:MENTIONS]->(e) | coalesce(r.count, 1)] | total + m) = 1
WITH e ORDER BY e.name
WITH count(e) AS count, collect(e.name)[..$examples] AS examples
RETURN 'entities mentioned once' AS check, count, examples
UNION ALL
MATCH (e:Entity) WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:Paper) }
WITH e ORDER BY e.name
WITH count(e) AS count, collect(e.name)[..$examples] AS examples
RETURN 'entities no paper mentions' AS check, count, examples
UNION ALL
MATCH (p:Paper) WHERE NOT EXISTS { (p)-[:MENTIONS]->(:Entity) }
WITH p ORDER BY p.id
WITH count(p) AS count, collect(p.id)[..$examples] AS examples
RETURN 'papers without entities' AS check, count, examples
UNION ALL
MATCH (r:Result)
WHERE NOT EXISTS { (r)-[:OF_METHOD]->() } OR NOT EXISTS { (r)-[:ON_DATASET]->() }
   OR NOT EXISTS { (r)-[:MEASURED_BY]->() }
WITH r ORDER BY r.id
WITH count(r) AS count, collect(r.id)[..$examples] AS examples
RETURN 'results missing method, dataset or metric' AS check, count, examples
UNION ALL
MATCH (e:Entity)
WITH e.type AS type, toLower(e.name) AS key, count(e) AS n WHERE n > 1
WITH type, key ORDER BY key
WITH count(key) AS count, collect(key)[..$examples] AS examples
RETURN 'names shared by two entities of one type' AS check, count, examples
UNION ALL
MATCH (m:Method)-[o:OUTPERFORMS]->(m)
WITH DISTINCT m ORDER BY m.name
WITH count(m) AS count, collect(m.name)[..$examples] AS examples
RETURN 'methods outperforming themselves' AS check, count, examples
