// Everything a paper proposes, evaluates on, addresses, measures with and reports.
//
// One row per fact, in that order, each with the sentence that states it. Reported
// results read "value metric on dataset" with the method in the entity column.
// The paper is found by its id, its arXiv id, or its exact title in any letter case.
//
// @param paper: str  Paper id, arXiv id or title.
// @example kg query paper_overview --param paper=2106.09685
MATCH (p:Paper)
WHERE p.id = $paper OR p.arxiv_id = $paper OR toLower(p.title) = toLower($paper)
WITH p,
     [(p)-[r:PROPOSES|EVALUATES_ON|ADDRESSES|USES_METRIC]->(e:Entity) |
        {relation: type(r), entity: e.name, type: e.type, detail: null,
         sentence: r.sentence, evidence: r.evidence}]
     + [(p)-[r:REPORTS]->(res:Result) |
        {relation: 'REPORTS',
         entity: head([(res)-[:OF_METHOD]->(m:Method) | m.name]),
         type: 'result',
         detail: res.value
                 + coalesce(' ' + head([(res)-[:MEASURED_BY]->(mt:Metric) | mt.name]), '')
                 + coalesce(' on ' + head([(res)-[:ON_DATASET]->(d:Dataset|Benchmark) | d.name]), ''),
         sentence: r.sentence, evidence: r.evidence}] AS facts
UNWIND facts AS fact
RETURN p.id AS paper, fact.relation AS relation, fact.entity AS entity, fact.type AS type,
       fact.detail AS detail, fact.evidence AS evidence
ORDER BY paper,
         {PROPOSES: 0, EVALUATES_ON: 1, ADDRESSES: 2, USES_METRIC: 3, REPORTS: 4}[relation],
         fact.sentence, entity, detail
