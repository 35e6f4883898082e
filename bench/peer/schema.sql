-- The benchmark peer's tables: the same shape of data as cadrestat's observations, with the
-- catalogue rows the comparison needs (units, metrics, sources). Loaded by the harness with
-- COPY (the catalogue from data/*.csv, the observations from `cadrestat synth`'s CSV), then
-- peer/index.sql adds the indexes and the comparison. Run by psql with ON_ERROR_STOP.
CREATE SCHEMA peer;
SET search_path = peer;

-- data/provinces.csv; the unit ID is map-code, as in cadrestat (VN63-01).
CREATE TABLE provinces (
  map text NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  name_ascii text,
  kind text,
  region text,
  valid_from date,
  valid_to date,
  id text GENERATED ALWAYS AS (map || '-' || code) STORED PRIMARY KEY
);

-- data/metrics.csv; better (HIGHER, LOWER, NONE) orders the ranking, aggregation (RATIO,
-- SUM, NONE) the national figure.
CREATE TABLE metrics (
  id text PRIMARY KEY,
  name_en text, name_vi text, unit text, kind text, body text, level text,
  better text, aggregation text, description text
);

-- data/sources*.csv and, at scales M and L, synth's extra sources (synthetic-2, …).
CREATE TABLE sources (
  id text PRIMARY KEY,
  title text, issuer text, doc_number text, date text, language text, location text,
  kind text, licence text, url text, retrieved text
);

-- One row of the ingest format (docs/data-format.md) as synth writes it: yearly periods only
-- (synth writes nothing else), so the year is the period label read as a number.
-- status_rank is the first key of cadrestat's preference rule (published > derived >
-- provisional > synthetic), stored so that an index can order a cell's candidates by it.
CREATE TABLE observations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL,
  metric text NOT NULL,
  period text NOT NULL,
  value double precision,
  numerator double precision,
  denominator double precision,
  qualifier text NOT NULL,
  status text NOT NULL,
  source text NOT NULL,
  quote text,
  note text,
  year smallint GENERATED ALWAYS AS (period::smallint) STORED,
  status_rank smallint GENERATED ALWAYS AS (CASE status WHEN 'PUBLISHED' THEN 0 WHEN 'DERIVED' THEN 1 WHEN 'PROVISIONAL' THEN 2 ELSE 3 END) STORED
);
