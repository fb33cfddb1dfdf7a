// Entities rising over time, from the years of the papers that mention them.
//
// For each entity, papers per year (papers without a date are left out). The recent
// window is the last `window` years of the data; `rise` is papers per year in the window
// minus papers per year before it, so new and growing entities come first.
//
// @param type: str = all  Entity type (method, dataset, benchmark, metric, task) or all.
// @param window: int = 2  Length of the recent window, in years.
// @param min_papers: int = 2  Least number of recent papers.
// @param limit: int = 20  Most rows.
// @example kg query rising_entities --param type=method --param window=1
MATCH (p:Paper)
WITH coalesce(p.year, toInteger(left(p.date, 4))) AS year
WHERE year IS NOT NULL
WITH min(year) AS first, max(year) AS last
MATCH (p:Paper)-[:MENTIONS]->(e:Entity)
WITH first, last, e, p, coalesce(p.year, toInteger(left(p.date, 4))) AS year
WHERE year IS NOT NULL AND (toLower($type) = 'all' OR e.type = toLower($type))
WITH first, last, e, year, count(DISTINCT p) AS n ORDER BY year
WITH first, last, e, collect({year: year, n: n}) AS by_year
WITH e, by_year,
     reduce(s = 0, x IN by_year | s + CASE WHEN x.year > last - $window THEN x.n ELSE 0 END) AS recent,
     reduce(s = 0, x IN by_year | s + CASE WHEN x.year <= last - $window THEN x.n ELSE 0 END) AS earlier,
     CASE WHEN last - $window - first + 1 > 0 THEN last - $window - first + 1 ELSE 1 END AS earlier_years
WHERE recent >= $min_papers
RETURN e.name AS name, e.type AS type, by_year[0].year AS first_year, earlier, recent,
       round(toFloat(recent) / $window - toFloat(earlier) / earlier_years, 3) AS rise,
       [x IN by_year | toString(x.year) + ':' + toString(x.n)] AS per_year
ORDER BY rise DESC, recent DESC, name
LIMIT $limit
