// Quality: entities mentioned only once in the whole corpus.
//
// Often extraction noise or a spelling that resolution did not merge; each row gives
// the one paper and the sentence, so it can be checked by eye.
//
// @param type: str = all  Entity type (method, dataset, benchmark, metric, task) or all.
// @param limit: int = 50  Most rows.
// @example kg query single_mention_entities --param type=dataset
MATCH (e:Entity)
WHERE toLower($type) = 'all' OR e.type = toLower($type)
WITH e, [(p:Paper)-[m:MENTIONS]->(e) | {paper: p.id, count: coalesce(m.count, 1), evidence: m.evidence}] AS ms
WHERE reduce(total = 0, x IN ms | total + x.count) = 1
RETURN e.name AS name, e.type AS type, ms[0].paper AS paper_id, ms[0].evidence AS evidence
ORDER BY type, name
LIMIT $limit
