// Defined beside the PredictionModel schema (the dashboard needs it too, for a model's warm-up).
export { toModelSpec } from '@cryptoviz/resources/warm-up';
