// Datasets and benchmarks used for a task.
//
// Datasets and benchmarks named by papers that address the task, ranked by how many of
// those papers evaluate on them (EVALUATES_ON), then by how many mention them at all.
// The task is found by canonical name or by any alias, in any letter case.
//
// @param task: str  Task, by name or alias (any case).
// @param limit: int = 25  Most rows.
// @example kg query datasets_for_task --param "task=question answering"
MATCH (t:Task)
WHERE toLower(t.name) = toLower($task)
   OR any(alias IN t.aliases WHERE toLower(alias) = toLower($task))
MATCH (p:Paper)-[:ADDRESSES]->(t)
MATCH (p)-[rel:EVALUATES_ON|MENTIONS]->(d:Dataset|Benchmark)
WITH d, p.id AS pid, max(CASE type(rel) WHEN 'EVALUATES_ON' THEN 1 ELSE 0 END) AS evaluated
ORDER BY pid
WITH d, collect(pid) AS paper_ids, sum(evaluated) AS evaluated_in
RETURN d.name AS name, d.type AS type, evaluated_in, size(paper_ids) AS papers, paper_ids
ORDER BY evaluated_in DESC, papers DESC, name
LIMIT $limit
