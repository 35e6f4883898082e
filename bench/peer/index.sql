-- After the load: the indexes, the comparison PostGraphile exposes, fresh statistics.
SET search_path = peer;

-- The comparison looks up one cell (metric, year, unit) at a time and wants its preferred
-- observation first: equality on the first three keys, then the preference order (status
-- rank, then source ID), so `ORDER BY status_rank, source LIMIT 1` reads one index entry.
-- INCLUDE makes it an index-only scan: the figure never touches the table. The same index
-- serves the previous year's cell (for change) and every unit of the map for the national
-- figure. provinces, metrics and sources are looked up by their primary keys.
CREATE INDEX observations_cell ON observations (metric, year, subject, status_rank, source)
  INCLUDE (value, numerator, denominator, status);

-- PostGraphile's natural shape for this question is a function exposed as a query field, not
-- a filtered connection over observations: the question is "rank the preferred figure of
-- each of these units" and a connection filter can neither pick one observation per cell
-- (scale M holds 8 candidates a cell, L 150) nor rank, so a client of a filtered connection
-- would fetch every candidate and do both itself. A SETOF function becomes a connection field
-- (`compare(metric, year, provinces) { nodes { … } }`) planned and executed by Grafast as one
-- SQL statement, which is how PostGraphile's documentation answers computed questions.
--
-- What it computes, for cadrestat's `compare` on the same arguments: one row per unit asked
-- for, in the order of rank; the unit's name; its preferred observation (cadrestat's rule on
-- this data: status, then source ID, since every synthetic source ties on kind, date,
-- qualifier and priority); the previous year's figure and the change; the source's title;
-- the rank among the units (by the metric's better direction). cadrestat also computes rank
-- ranges, intervals, regional benchmarks and the target gap, which are not reproduced here.
CREATE TYPE comparison_row AS (
  rank int,
  province_id text,
  province_name text,
  value double precision,
  numerator double precision,
  denominator double precision,
  previous_value double precision,
  change double precision,
  status text,
  source_title text
);

CREATE FUNCTION compare(metric text, year int, provinces text[]) RETURNS SETOF comparison_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH picked AS (
    SELECT u.ord, u.id, p.name, o.value, o.numerator, o.denominator, o.status, o.source,
           prev.value AS previous_value
    FROM unnest(compare.provinces) WITH ORDINALITY AS u(id, ord)
    LEFT JOIN peer.provinces p ON p.id = u.id
    LEFT JOIN LATERAL (
      SELECT x.value, x.numerator, x.denominator, x.status, x.source FROM peer.observations x
      WHERE x.metric = compare.metric AND x.year = compare.year AND x.subject = u.id
      ORDER BY x.status_rank, x.source LIMIT 1) o ON true
    LEFT JOIN LATERAL (
      SELECT x.value FROM peer.observations x
      WHERE x.metric = compare.metric AND x.year = compare.year - 1 AND x.subject = u.id
      ORDER BY x.status_rank, x.source LIMIT 1) prev ON true
  ), ranked AS (
    SELECT c.*, s.title AS source_title,
           CASE WHEN c.value IS NOT NULL AND m.better IN ('HIGHER', 'LOWER') THEN
             rank() OVER (ORDER BY CASE m.better WHEN 'LOWER' THEN c.value ELSE -c.value END NULLS LAST)::int
           END AS rank
    FROM picked c
    LEFT JOIN (SELECT better FROM peer.metrics WHERE id = compare.metric) m ON true
    LEFT JOIN peer.sources s ON s.id = c.source
  )
  SELECT r.rank, r.id, r.name, r.value, r.numerator, r.denominator, r.previous_value,
         r.value - r.previous_value, r.status, r.source_title
  FROM ranked r
  ORDER BY r.rank NULLS LAST, r.ord
$$;

-- The national figure of the same metric and year, as cadrestat's `national` computes it from
-- units: summed numerators over summed denominators (RATIO) or the sum (SUM) over every unit
-- of the map in force (VN63 before 2025, VN34 from 2025), none when a unit lacks a figure.
CREATE FUNCTION compare_national(metric text, year int) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
           WHEN m.aggregation = 'RATIO' AND count(o.numerator) = count(*) AND count(o.denominator) = count(*)
             THEN 100 * sum(o.numerator) / nullif(sum(o.denominator), 0)
           WHEN m.aggregation = 'SUM' AND count(o.value) = count(*) THEN sum(o.value)
         END
  FROM peer.metrics m
  CROSS JOIN peer.provinces p
  LEFT JOIN LATERAL (
    SELECT x.value, x.numerator, x.denominator FROM peer.observations x
    WHERE x.metric = compare_national.metric AND x.year = compare_national.year AND x.subject = p.id
    ORDER BY x.status_rank, x.source LIMIT 1) o ON true
  WHERE m.id = compare_national.metric
    AND p.map = CASE WHEN compare_national.year < 2025 THEN 'VN63' ELSE 'VN34' END
  GROUP BY m.aggregation
$$;

-- Statistics for the planner and the visibility map for index-only scans (autovacuum is off
-- in this throwaway, read-only cluster).
VACUUM ANALYZE;
