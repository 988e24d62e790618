/** The one field manager every server-side apply of the controller uses. */
export const FIELD_MANAGER = 'cryptoviz-controller';
export const MANAGED_BY = 'cryptoviz-controller';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  kind: 'cryptoviz.dev/kind',
  resource: 'cryptoviz.dev/resource',
  role: 'cryptoviz.dev/role',
  shard: 'cryptoviz.dev/shard',
} as const;

export const ANNOTATIONS = {
  /** Hash of the worker's config: a changed ConfigMap rolls the pods that read it. */
  configHash: 'cryptoviz.dev/config-hash',
  /** Hash of the applied object: a resync that would change nothing sends nothing. */
  appliedHash: 'cryptoviz.dev/applied-hash',
} as const;

/**
 * Earlier versions put this on every PredictionModel to delete a durable JetStream consumer on
 * delete, but predictors never create one (they read through temporary per-symbol consumers).
 * It guarded nothing and made deleting a model wait for NATS, so the controller now removes it.
 */
export const LEGACY_CONSUMER_FINALIZER = 'cryptoviz.dev/jetstream-consumer';

/** Every object the controller applies carries this selector's label. */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;
