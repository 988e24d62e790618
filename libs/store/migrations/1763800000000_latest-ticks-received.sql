-- Up Migration
-- When the newest tick of a source arrived, as opposed to the market time it carries: a
-- replay of 2017 candles is fresh if it keeps arriving. Freshness views read this.
ALTER TABLE latest_ticks ADD COLUMN received_at timestamptz NOT NULL DEFAULT now();

-- Down Migration
ALTER TABLE latest_ticks DROP COLUMN received_at;
