-- Up Migration
-- What `cryptoviz migrate` last completed, written under its lock as its final step: workers
-- read it and wait until it is the version they were built for (they never migrate).
CREATE TABLE cryptoviz_schema (
  singleton   boolean     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  version     integer     NOT NULL,
  flavor      text        NOT NULL CHECK (flavor IN ('timescaledb', 'postgresql')),
  migrated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE cryptoviz_schema;
