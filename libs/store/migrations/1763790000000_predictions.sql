-- Up Migration
CREATE TABLE predictions (
  model        text             NOT NULL,
  source       text             NOT NULL,
  symbol       text             NOT NULL,
  horizon_s    integer          NOT NULL CHECK (horizon_s > 0),
  made_at      timestamptz      NOT NULL,
  target_at    timestamptz      NOT NULL,
  algorithm    text             NOT NULL,
  origin_price double precision NOT NULL CHECK (origin_price > 0),
  point        double precision NOT NULL,
  lower        double precision NOT NULL,
  upper        double precision NOT NULL,
  confidence   double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  signal       text             NOT NULL CHECK (signal IN ('BUY', 'SELL', 'HOLD')),
  -- Filled by the scorer once the target bar has closed.
  realized     double precision,
  scored_at    timestamptz,
  PRIMARY KEY (model, source, symbol, horizon_s, made_at)
);
CREATE INDEX predictions_symbol_made ON predictions (symbol, made_at DESC);
CREATE INDEX predictions_unscored ON predictions (model, source, symbol, target_at) WHERE realized IS NULL;

-- Down Migration
DROP TABLE predictions;
