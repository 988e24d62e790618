-- Applied after the migrations once the timescaledb extension is created. Every statement
-- is idempotent; policies are (re)set from configuration at each start.
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
-- Real-time aggregation (off by default since TimescaleDB 2.13): the newest candles, not yet
-- materialized by a policy run, are computed from the raw ticks at query time. Also set on
-- views an older version of this file created.
ALTER MATERIALIZED VIEW candles_1m SET (timescaledb.materialized_only = false);
ALTER MATERIALIZED VIEW candles_1h SET (timescaledb.materialized_only = false);
ALTER MATERIALIZED VIEW candles_1d SET (timescaledb.materialized_only = false);
SELECT add_continuous_aggregate_policy('candles_1m', start_offset => INTERVAL '1 hour', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('candles_1h', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('candles_1d', start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
ALTER TABLE ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'source, symbol', timescaledb.compress_orderby = 'time DESC');
