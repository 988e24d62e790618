-- Up Migration
CREATE TABLE ticks (
  time           timestamptz      NOT NULL,
  source         text             NOT NULL,
  symbol         text             NOT NULL,
  provider       text             NOT NULL,
  quote          text             NOT NULL,
  price          double precision NOT NULL CHECK (price > 0),
  volume_24h     double precision,
  market_cap     double precision,
  change_24h_pct double precision,
  PRIMARY KEY (source, symbol, time)
);
-- One row per (source, symbol), kept by the writer in the same transaction as the ticks:
-- "latest price" is the hottest query and must not scan history.
CREATE TABLE latest_ticks (
  source         text             NOT NULL,
  symbol         text             NOT NULL,
  time           timestamptz      NOT NULL,
  provider       text             NOT NULL,
  quote          text             NOT NULL,
  price          double precision NOT NULL,
  volume_24h     double precision,
  market_cap     double precision,
  change_24h_pct double precision,
  PRIMARY KEY (source, symbol)
);

-- Down Migration
DROP TABLE latest_ticks;
DROP TABLE ticks;
