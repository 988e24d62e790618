-- Up Migration
-- When the forecast's publication to PREDICTIONS was confirmed (its PubAck); NULL until then.
-- A predictor killed between storing and publishing finds its forecasts here at its next
-- start and publishes them: stored forecasts reach live viewers exactly once in effect.
-- Forecasts stored before this column existed were published when made: they get the time
-- of this migration (a constant default, so no table rewrite), new ones NULL.
ALTER TABLE predictions ADD COLUMN published_at timestamptz DEFAULT now();
ALTER TABLE predictions ALTER COLUMN published_at DROP DEFAULT;
CREATE INDEX predictions_unpublished ON predictions (model, made_at) WHERE published_at IS NULL;

-- Down Migration
DROP INDEX predictions_unpublished;
ALTER TABLE predictions DROP COLUMN published_at;
