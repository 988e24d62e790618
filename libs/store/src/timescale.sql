-- Applied by `cryptoviz migrate` once the timescaledb extension is created, under its lock.
-- Every statement is idempotent. Policies are not here: they are declared state, reconciled
-- from configuration (policies.ts).
SELECT create_hypertable('ticks', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('predictions', 'made_at', chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE, migrate_data => TRUE);
CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT source, symbol, time_bucket(INTERVAL '1 minute', time) AS bucket,
         first(price, time) AS open, max(price) AS high, min(price) AS low,
         last(price, time) AS close, count(*) AS ticks, last(volume_24h, time) AS volume_24h
  FROM ticks GROUP BY source, symbol, bucket WITH NO DATA;
CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT source, symbol, time_bucket(INTERVAL '1 hour', time) AS bucket,
         first(price, time) AS open, max(price) AS high, min(price) AS low,
         last(price, time) AS close, count(*) AS ticks, last(volume_24h, time) AS volume_24h
  FROM ticks GROUP BY source, symbol, bucket WITH NO DATA;
CREATE MATERIALIZED VIEW IF NOT EXISTS candles_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT source, symbol, time_bucket(INTERVAL '1 day', time) AS bucket,
         first(price, time) AS open, max(price) AS high, min(price) AS low,
         last(price, time) AS close, count(*) AS ticks, last(volume_24h, time) AS volume_24h
  FROM ticks GROUP BY source, symbol, bucket WITH NO DATA;
