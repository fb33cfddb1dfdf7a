// Who outperforms whom, optionally on one dataset or benchmark.
//
// Each OUTPERFORMS statement with its paper and evidence. The place is the dataset the
// statement names, or else (`stated` false) the datasets its paper evaluates on.
// With `dataset`, only statements about that place; with `method`, only those naming it.
//
// @param dataset: str = null  Dataset or benchmark (name or alias, any case); null for all.
// @param method: str = null  Only statements where this method wins or loses; null for all.
// @param limit: int = 50  Most rows.
// @example kg query outperforms --param dataset=GLUE
MATCH (a:Method)-[o:OUTPERFORMS]->(b:Method)
OPTIONAL MATCH (named:Dataset|Benchmark {id: o.dataset})
WITH a, b, o, named,
     CASE WHEN named IS NULL
          THEN COLLECT { MATCH (:Paper {id: o.paper_id})-[:EVALUATES_ON]->(x:Dataset|Benchmark)
                         RETURN x ORDER BY x.name, x.id }
          ELSE [named] END AS places
WHERE ($dataset IS NULL
       OR any(x IN places WHERE toLower(x.name) = toLower($dataset)
                             OR any(alias IN x.aliases WHERE toLower(alias) = toLower($dataset))))
  AND ($method IS NULL
       OR any(x IN [a, b] WHERE toLower(x.name) = toLower($method)
                             OR any(alias IN x.aliases WHERE toLower(alias) = toLower($method))))
RETURN a.name AS winner, b.name AS loser, [x IN places | x.name] AS datasets,
       named IS NOT NULL AS stated, o.paper_id AS paper_id, o.evidence AS evidence
ORDER BY winner, loser, paper_id
LIMIT $limit
