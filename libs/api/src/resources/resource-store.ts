import type { Resource, ResourceKind } from '@cryptoviz/resources';

export class ResourceNotFoundError extends Error {
  override name = 'ResourceNotFoundError';
}

export class ResourceConflictError extends Error {
  override name = 'ResourceConflictError';
}

/** The backend refused the object (the API server's schema or a CEL rule): the user's input is at fault. */
export class ResourceRejectedError extends Error {
  override name = 'ResourceRejectedError';
}

export interface ResourceListing {
  resources: Resource[];
  /** Manifests that could not be read (a hand-edited file gone wrong), one line each. */
  errors: string[];
}

/**
 * Where CryptoSource and PredictionModel objects live. Locally: a folder of YAML manifests
 * (`FolderResourceStore`), the same one `cryptoviz up` runs. In a cluster: the Kubernetes API
 * (`KubernetesResourceStore`, chosen by `GATEWAY_RESOURCES=kubernetes`).
 *
 * Callers pass resources already validated by the `@cryptoviz/resources` schemas.
 */
export interface ResourceStore {
  readonly backend: 'folder' | 'kubernetes';
  list(): Promise<ResourceListing>;
  get(kind: ResourceKind, name: string): Promise<Resource | undefined>;
  /** Throws ResourceConflictError when one of that kind and name exists. */
  create(resource: Resource): Promise<Resource>;
  /** Throws ResourceNotFoundError when none of that kind and name exists. */
  update(resource: Resource): Promise<Resource>;
  /** Throws ResourceNotFoundError when none of that kind and name exists. */
  delete(kind: ResourceKind, name: string): Promise<void>;
}
