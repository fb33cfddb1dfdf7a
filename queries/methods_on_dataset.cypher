// Methods evaluated on a dataset or benchmark.
//
// Every method that some paper states was evaluated on the dataset or benchmark
// (an EVALUATED_ON relationship, or a reported Result on it), with the stating papers.
// The dataset is found by canonical name or by any alias, in any letter case.
//
// @param dataset: str  Dataset or benchmark, by name or alias (any case).
// @param limit: int = 25  Most rows.
// @example kg query methods_on_dataset --param dataset=ImageNet
MATCH (d:Dataset|Benchmark)
WHERE toLower(d.name) = toLower($dataset)
   OR any(alias IN d.aliases WHERE toLower(alias) = toLower($dataset))
MATCH (m:Method)
WHERE EXISTS { (m)-[:EVALUATED_ON]->(d) }
   OR EXISTS { (m)<-[:OF_METHOD]-(:Result)-[:ON_DATASET]->(d) }
WITH d, m,
     [(m)-[r:EVALUATED_ON]->(d) | r.paper_id]
     + [(m)<-[:OF_METHOD]-(res:Result)-[:ON_DATASET]->(d) | res.paper_id] AS stated
UNWIND stated AS pid
WITH d, m, pid ORDER BY pid
WITH d, m, collect(DISTINCT pid) AS paper_ids
RETURN m.name AS method, d.name AS dataset, size(paper_ids) AS papers, paper_ids
ORDER BY papers DESC, method, dataset
LIMIT $limit
