// Methods most often used together.
//
// Pairs of methods mentioned by the same papers, ranked by the number of papers that
// mention both. With `method`, only pairs that include that method (name or alias).
//
// @param method: str = null  Only pairs with this method (name or alias, any case); null for all.
// @param min_papers: int = 1  Least number of shared papers for a pair to be listed.
// @param limit: int = 20  Most rows.
// @example kg query co_mentioned_methods --param method=BERT --param min_papers=2
MATCH (a:Method)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(b:Method)
WHERE a.id < b.id
  AND ($method IS NULL
       OR any(x IN [a, b] WHERE toLower(x.name) = toLower($method)
                             OR any(alias IN x.aliases WHERE toLower(alias) = toLower($method))))
WITH a, b, p.id AS pid ORDER BY pid
WITH a, b, collect(DISTINCT pid) AS paper_ids
WHERE size(paper_ids) >= $min_papers
RETURN a.name AS method_a, b.name AS method_b, size(paper_ids) AS papers, paper_ids
ORDER BY papers DESC, method_a, method_b
LIMIT $limit
