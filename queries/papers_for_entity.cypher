// Papers that mention an entity, with the sentence and what else they say about it.
//
// One row per paper, newest first, with the relationship types linking the paper to the
// entity (MENTIONS, PROPOSES, EVALUATES_ON, ...) and the first sentence naming it.
//
// @param name: str  Entity name or alias (any case).
// @param limit: int = 25  Most rows.
// @example kg query papers_for_entity --param name=LoRA
MATCH (e:Entity)
WHERE toLower(e.name) = toLower($name)
   OR any(alias IN e.aliases WHERE toLower(alias) = toLower($name))
MATCH (p:Paper)-[m:MENTIONS]->(e)
WITH e, p, m,
     COLLECT { MATCH (p)-[r]->(e) RETURN DISTINCT type(r) AS t ORDER BY t } AS relations
RETURN e.name AS entity, p.id AS paper_id, coalesce(p.year, toInteger(left(p.date, 4))) AS year,
       p.title AS title, relations, m.count AS mentions, m.evidence AS evidence
ORDER BY year DESC, paper_id
LIMIT $limit
