// Quality: papers from which no entity was extracted.
//
// A paper without any MENTIONS is either off-topic or a miss of the extractor; the
// source column says where it was read.
//
// @param limit: int = 50  Most rows.
// @example kg query papers_without_entities
MATCH (p:Paper)
WHERE NOT EXISTS { (p)-[:MENTIONS]->(:Entity) }
RETURN p.id AS paper_id, p.title AS title, p.source AS source
ORDER BY paper_id
LIMIT $limit
