// A leaderboard for a dataset and a metric, from the extracted results.
//
// The best reported value per method on the dataset (or benchmark) by the metric, best
// first. Higher is better unless `order` is asc (for error rates, perplexity, ...).
// Values that did not parse as numbers come last. Names match by name or alias, any case.
//
// @param dataset: str  Dataset or benchmark, by name or alias (any case).
// @param metric: str  Metric, by name or alias (any case).
// @param order: str = desc  desc when higher is better, asc when lower is better.
// @param limit: int = 20  Most rows.
// @example kg query leaderboard --param dataset=SQuAD --param metric=F1
MATCH (d:Dataset|Benchmark)
WHERE toLower(d.name) = toLower($dataset)
   OR any(alias IN d.aliases WHERE toLower(alias) = toLower($dataset))
MATCH (mt:Metric)
WHERE toLower(mt.name) = toLower($metric)
   OR any(alias IN mt.aliases WHERE toLower(alias) = toLower($metric))
MATCH (m:Method)<-[:OF_METHOD]-(res:Result)-[:ON_DATASET]->(d), (res)-[:MEASURED_BY]->(mt)
WITH m, d, mt, res,
     CASE WHEN res.number IS NULL THEN null
          WHEN toLower($order) = 'asc' THEN res.number ELSE -res.number END AS sort_key
ORDER BY sort_key, res.paper_id
WITH m, d, mt, collect(res)[0] AS best, collect(sort_key)[0] AS best_key, count(res) AS results
RETURN m.name AS method, best.value AS value, best.number AS number, d.name AS dataset,
       mt.name AS metric, results, best.paper_id AS paper_id, best.evidence AS evidence
ORDER BY CASE WHEN best_key IS NULL THEN 1 ELSE 0 END, best_key, method
LIMIT $limit
