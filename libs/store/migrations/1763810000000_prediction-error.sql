-- Up Migration
-- The forecast's error once scored (realized − point, in quote units), kept with the row so
-- that "how wrong was it" is a column to sort and chart by, not a formula to repeat.
ALTER TABLE predictions
  ADD COLUMN error double precision GENERATED ALWAYS AS (realized - point) STORED;

-- Down Migration
ALTER TABLE predictions DROP COLUMN error;
