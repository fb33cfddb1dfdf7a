// Papers most similar to a paper, by the entities they share (Jaccard).
//
// Jaccard similarity of the sets of entities two papers mention: shared / union.
// The paper is found by its id, its arXiv id, or its exact title in any letter case.
//
// @param paper: str  Paper id, arXiv id or title.
// @param min_shared: int = 1  Least number of shared entities.
// @param limit: int = 10  Most rows.
// @example kg query similar_papers --param paper=2106.09685 --param limit=5
MATCH (p:Paper)
WHERE p.id = $paper OR p.arxiv_id = $paper OR toLower(p.title) = toLower($paper)
MATCH (p)-[:MENTIONS]->(e:Entity)<-[:MENTIONS]-(q:Paper)
WHERE q <> p
WITH p, q, e ORDER BY e.name
WITH p, q, collect(DISTINCT e.name) AS shared_entities
WITH p, q, shared_entities, size(shared_entities) AS shared,
     size([(p)-[:MENTIONS]->(x:Entity) | x]) AS p_size,
     size([(q)-[:MENTIONS]->(y:Entity) | y]) AS q_size
WHERE shared >= $min_shared
RETURN q.id AS paper_id, q.title AS title, shared, p_size + q_size - shared AS union_size,
       round(toFloat(shared) / (p_size + q_size - shared), 4) AS jaccard, shared_entities
ORDER BY jaccard DESC, shared DESC, paper_id
LIMIT $limit
