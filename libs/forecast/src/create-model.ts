import { createConsensus } from './models/consensus.ts';
import { createEwma } from './models/ewma.ts';
import { createHolt } from './models/holt.ts';
import { createLinearTrend } from './models/linear-trend.ts';
import { createMomentum } from './models/momentum.ts';
import { createMovingAverage } from './models/moving-average.ts';
import { createNaive } from './models/naive.ts';
import { createRidge } from './models/ridge.ts';
import { parseModelSpec, type ModelSpec } from './model-spec.ts';
import type { PointModel } from './point-model.ts';

/** Builds a fresh point model for `horizon` bars ahead from a spec (string or parsed). */
export function createPointModel(spec: ModelSpec | string, horizon: number): PointModel {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`horizon must be a positive whole number of bars, got ${horizon}`);
  }
  const parsed = typeof spec === 'string' ? parseModelSpec(spec) : spec;
  switch (parsed.name) {
    case 'naive':
      return createNaive();
    case 'movingAverage':
      return createMovingAverage(parsed.params);
    case 'ewma':
      return createEwma(parsed.params);
    case 'linearTrend':
      return createLinearTrend(parsed.params, horizon);
    case 'momentum':
      return createMomentum(parsed.params, horizon);
    case 'holt':
      return createHolt(parsed.params, horizon);
    case 'ridge':
      return createRidge(parsed.params, horizon);
    case 'consensus': {
      const members = parsed.plan.members.map((member) => createPointModel(member, horizon));
      return createConsensus(members, parsed.plan.weighting, horizon);
    }
  }
}
