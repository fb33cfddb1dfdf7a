// An entity's profile: what it is, where it appears and how it relates.
//
// One row per entity matching the name (or alias, any case): its aliases, paper and
// mention counts, first and last year, the papers proposing it, the datasets it was
// evaluated on (or the methods evaluated on it), whom it beats and loses to, its
// variants, and the entities most often mentioned with it.
//
// @param name: str  Entity name or alias (any case).
// @param related: int = 5  How many co-mentioned entities to list.
// @example kg query entity_profile --param name=BERT
MATCH (e:Entity)
WHERE toLower(e.name) = toLower($name)
   OR any(alias IN e.aliases WHERE toLower(alias) = toLower($name))
WITH e, COLLECT { MATCH (e)<-[:MENTIONS]-(p:Paper)
                  WITH coalesce(p.year, toInteger(left(p.date, 4))) AS year
                  WHERE year IS NOT NULL RETURN DISTINCT year ORDER BY year } AS years
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases,
       COUNT { (e)<-[:MENTIONS]-(:Paper) } AS papers,
       e.mention_count AS mentions,
       head(years) AS first_year,
       last(years) AS last_year,
       COLLECT { MATCH (e)<-[:PROPOSES]-(p:Paper) RETURN DISTINCT p.id AS id ORDER BY id } AS proposed_by,
       COLLECT { MATCH (e)-[:EVALUATED_ON]->(d) RETURN DISTINCT d.name AS n ORDER BY n } AS evaluated_on,
       COLLECT { MATCH (e)<-[:EVALUATED_ON]-(m) RETURN DISTINCT m.name AS n ORDER BY n } AS methods_evaluated,
       COLLECT { MATCH (e)-[:OUTPERFORMS]->(m) RETURN DISTINCT m.name AS n ORDER BY n } AS outperforms,
       COLLECT { MATCH (e)<-[:OUTPERFORMS]-(m) RETURN DISTINCT m.name AS n ORDER BY n } AS outperformed_by,
       COLLECT { MATCH (e)-[:VARIANT_OF]->(v) RETURN DISTINCT v.name AS n ORDER BY n } AS variant_of,
       COLLECT { MATCH (e)<-[:VARIANT_OF]-(v) RETURN DISTINCT v.name AS n ORDER BY n } AS variants,
       COLLECT { MATCH (e)<-[:MENTIONS]-(:Paper)-[:MENTIONS]->(o:Entity) WHERE o <> e
                 WITH o, count(*) AS together ORDER BY together DESC, o.name
                 RETURN o.name LIMIT $related } AS related
ORDER BY type, name
