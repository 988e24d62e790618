-- Up Migration
-- Resources are known by their key, `namespace/name`, not their name alone: two namespaces may
-- each hold a source named `binance`. Rows written before keys name resources of the only
-- namespace there was, `default`. Rows that hold a key already are left alone, so running
-- this again changes nothing. On TimescaleDB, `source` segments compressed chunks and cannot
-- be updated in them: chunks holding names are decompressed first (the compression policy
-- compresses them again), and `migrate` then refreshes the candle aggregates, whose
-- materialized buckets still carry the old names.
-- (Nested IFs: PL/pgSQL plans each only when reached, and plain PostgreSQL has no
-- timescaledb_information.)
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    IF EXISTS (SELECT 1 FROM timescaledb_information.hypertables
               WHERE hypertable_schema = current_schema() AND hypertable_name = 'ticks')
       AND EXISTS (SELECT 1 FROM ticks WHERE strpos(source, '/') = 0) THEN
      PERFORM decompress_chunk(chunk, if_compressed => true) FROM show_chunks('ticks') AS chunk;
    END IF;
  END IF;
END $$;
UPDATE ticks SET source = 'default/' || source WHERE strpos(source, '/') = 0;
UPDATE latest_ticks SET source = 'default/' || source WHERE strpos(source, '/') = 0;
UPDATE predictions SET model = 'default/' || model WHERE strpos(model, '/') = 0;
UPDATE predictions SET source = 'default/' || source WHERE strpos(source, '/') = 0;

-- Down Migration
UPDATE ticks SET source = split_part(source, '/', 2) WHERE source LIKE 'default/%';
UPDATE latest_ticks SET source = split_part(source, '/', 2) WHERE source LIKE 'default/%';
UPDATE predictions SET model = split_part(model, '/', 2) WHERE model LIKE 'default/%';
UPDATE predictions SET source = split_part(source, '/', 2) WHERE source LIKE 'default/%';
