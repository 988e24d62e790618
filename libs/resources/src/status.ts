import { z } from 'zod';

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** A Kubernetes-style condition (the shape of metav1.Condition). */
export const conditionSchema = z.strictObject({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  /** CamelCase, machine-readable; what a user can act on (SecretMissing, RateLimited, …). */
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
  message: z.string().max(32_768),
  lastTransitionTime: z.iso.datetime(),
  observedGeneration: z.int().min(0).optional(),
});
export type Condition = z.output<typeof conditionSchema>;

const time = z.iso.datetime();

const workerStatusShape = {
  /** The spec generation this status describes. */
  observedGeneration: z.int().min(0),
  conditions: z
    .array(conditionSchema)
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  /** Workers wanted (read by the `scale` subresource). */
  replicas: z.int().min(0),
  /** Workers whose heartbeat is fresh. */
  readyWorkers: z.int().min(0),
  /** `ready/wanted`, for `kubectl get`. */
  ready: z.string().max(16),
  /** Label selector of the workers' pods (read by the `scale` subresource). */
  selector: z.string().max(1024),
  symbolCount: z.int().min(0),
};

export const cryptoSourceStatusSchema = z
  .strictObject({
    ...workerStatusShape,
    /** When a worker last published a tick. */
    lastTickTime: time,
    ticksPublished: z.int().min(0),
  })
  .partial();
export type CryptoSourceStatus = z.output<typeof cryptoSourceStatusSchema>;

export const predictionModelStatusSchema = z
  .strictObject({
    ...workerStatusShape,
    /** When a worker last published a prediction. */
    lastPredictionTime: time,
    /** Share of scored forecasts whose direction was right, over the workers' windows. */
    accuracy: z.number().min(0).max(1),
    /** 1 − MAE/MAE(naive) over the same forecasts: above 0 the model beats "no change". */
    skill: z.number().min(-1000).max(1),
    predictionsPublished: z.int().min(0),
  })
  .partial();
export type PredictionModelStatus = z.output<typeof predictionModelStatusSchema>;
