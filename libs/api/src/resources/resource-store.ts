import {
  labelIn,
  resourceKey,
  type Resource,
  type ResourceKind,
  type ResourceRef,
} from '@cryptoviz/resources';

/**
 * How a resource is named in errors, as a person in namespace `here` would type it:
 * `CryptoSource "binance"` there, `CryptoSource "team-a/binance"` elsewhere.
 */
export function describeResource(kind: ResourceKind, ref: ResourceRef, here: string): string {
  return `${kind} "${labelIn(here)(resourceKey(ref))}"`;
}

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
 * Callers pass resources already validated by the `@cryptoviz/resources` schemas. A resource
 * is matched by kind and ref (namespace + name): one name may live in two namespaces.
 */
export interface ResourceStore {
  readonly backend: 'folder' | 'kubernetes';
  /**
   * The current namespace, as kubectl has one: where a manifest without `metadata.namespace`
   * is stored and what a bare name means. In a cluster, the one the gateway serves (its
   * release's); locally, `default`.
   */
  readonly namespace: string;
  list(): Promise<ResourceListing>;
  /** Throws ResourceRejectedError for a ref of a namespace the store does not serve. */
  get(kind: ResourceKind, ref: ResourceRef): Promise<Resource | undefined>;
  /** Throws ResourceConflictError when one of that kind and ref exists. */
  create(resource: Resource): Promise<Resource>;
  /** Throws ResourceNotFoundError when none of that kind and ref exists. */
  update(resource: Resource): Promise<Resource>;
  /**
   * Throws ResourceNotFoundError when none of that kind and ref exists. Like `get`, throws
   * ResourceRejectedError for a ref of a namespace the store does not serve.
   */
  delete(kind: ResourceKind, ref: ResourceRef): Promise<void>;
}
