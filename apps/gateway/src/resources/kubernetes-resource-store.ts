import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { kubeApiClient } from '@cryptoviz/resources/node';
import {
  API_VERSION,
  formatIssues,
  GROUP,
  KIND_DEFINITIONS,
  resourceSchemas,
  VERSION,
  type Resource,
  type ResourceKind,
  type ResourceRef,
} from '@cryptoviz/resources';
import {
  describeResource,
  ResourceConflictError,
  ResourceNotFoundError,
  ResourceRejectedError,
  type ResourceListing,
  type ResourceStore,
} from '@cryptoviz/api';

const KINDS = Object.keys(KIND_DEFINITIONS) as ResourceKind[];

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The API server's own message (it names the field), without the request it came from. */
function reason(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as {
        message?: string;
      };
      if (body?.message) return body.message;
    } catch {
      // not JSON: fall through to the status code
    }
    return `the Kubernetes API answered ${err.code}`;
  }
  return (err as Error).message;
}

/**
 * CryptoSources and PredictionModels as custom resources in one namespace, the way
 * `kubectl` would write them; the operator then reconciles what changed. Objects that fail
 * our schema (edited by hand around the CRD's validation) are listed as errors, not served.
 *
 * The store serves its own namespace only (the gateway's RBAC is a namespaced Role): a ref or a
 * manifest of another namespace is refused. That namespace is the current one, as kubectl has
 * one: a manifest without a namespace goes into it, and a bare name means one of it.
 */
export class KubernetesResourceStore implements ResourceStore {
  readonly backend = 'kubernetes' as const;
  readonly #api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.#api = kubeApiClient(kc, CustomObjectsApi);
  }

  /** The ref a manifest is stored under; throws when it names a namespace not served here. */
  #refOf(resource: Resource): ResourceRef {
    const ref = {
      namespace: resource.metadata.namespace ?? this.namespace,
      name: resource.metadata.name,
    };
    this.#assertServed(ref, 'metadata.namespace');
    return ref;
  }

  /**
   * Another namespace's ref is refused, not answered "does not exist": its object may well
   * exist, out of this gateway's reach, and the person probably meant this namespace.
   */
  #assertServed(ref: ResourceRef, field = 'namespace'): void {
    if (ref.namespace !== this.namespace) {
      throw new ResourceRejectedError(
        `${field} "${ref.namespace}" is not served here: this gateway manages namespace "${this.namespace}"`,
      );
    }
  }

  #target(kind: ResourceKind) {
    return {
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: KIND_DEFINITIONS[kind].plural,
    };
  }

  #parse(kind: ResourceKind, object: unknown): Resource | string {
    const result = resourceSchemas[kind].safeParse(object);
    if (result.success) return result.data;
    const name = (object as { metadata?: { name?: string } }).metadata?.name ?? '?';
    return `${kind} "${name}": ${formatIssues(result.error)}`;
  }

  /** What is sent: the user's metadata (name, labels, annotations) and spec, nothing else. */
  #body(resource: Resource, resourceVersion?: string) {
    const { name, labels, annotations } = resource.metadata;
    return {
      apiVersion: API_VERSION,
      kind: resource.kind,
      metadata: {
        name,
        namespace: this.namespace,
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      spec: resource.spec,
    };
  }

  async list(): Promise<ResourceListing> {
    const listing: ResourceListing = { resources: [], errors: [] };
    for (const kind of KINDS) {
      const page = (await this.#api.listNamespacedCustomObject(this.#target(kind))) as {
        items?: unknown[];
      };
      for (const item of page.items ?? []) {
        const parsed = this.#parse(kind, item);
        if (typeof parsed === 'string') listing.errors.push(parsed);
        else listing.resources.push(parsed);
      }
    }
    return listing;
  }

  async get(kind: ResourceKind, ref: ResourceRef): Promise<Resource | undefined> {
    this.#assertServed(ref);
    const object = await this.#raw(kind, ref.name);
    if (!object) return undefined;
    const parsed = this.#parse(kind, object);
    if (typeof parsed === 'string') throw new ResourceRejectedError(parsed);
    return parsed;
  }

  async create(resource: Resource): Promise<Resource> {
    const ref = this.#refOf(resource);
    try {
      await this.#api.createNamespacedCustomObject({
        ...this.#target(resource.kind),
        body: this.#body(resource),
      });
    } catch (err) {
      if (statusOf(err) === 409) {
        throw new ResourceConflictError(
          `${describeResource(resource.kind, ref, this.namespace)} already exists`,
        );
      }
      throw this.#refusal(err);
    }
    return this.#placed(resource);
  }

  async update(resource: Resource): Promise<Resource> {
    const ref = this.#refOf(resource);
    const current = await this.#raw(resource.kind, ref.name);
    if (!current) throw this.#missing(resource.kind, ref);
    const resourceVersion = (current as { metadata?: { resourceVersion?: string } }).metadata
      ?.resourceVersion;
    try {
      // Replace with the version read: a concurrent edit makes this fail, not vanish.
      await this.#api.replaceNamespacedCustomObject({
        ...this.#target(resource.kind),
        name: resource.metadata.name,
        body: this.#body(resource, resourceVersion),
      });
    } catch (err) {
      if (statusOf(err) === 409) {
        throw new ResourceConflictError(
          `${describeResource(resource.kind, ref, this.namespace)} changed meanwhile; read it again`,
        );
      }
      if (statusOf(err) === 404) throw this.#missing(resource.kind, ref);
      throw this.#refusal(err);
    }
    return this.#placed(resource);
  }

  async delete(kind: ResourceKind, ref: ResourceRef): Promise<void> {
    this.#assertServed(ref);
    try {
      await this.#api.deleteNamespacedCustomObject({ ...this.#target(kind), name: ref.name });
    } catch (err) {
      if (statusOf(err) === 404) throw this.#missing(kind, ref);
      throw err;
    }
  }

  /** The resource as stored: in this store's namespace, whether or not the manifest said so. */
  #placed(resource: Resource): Resource {
    return { ...resource, metadata: { ...resource.metadata, namespace: this.namespace } };
  }

  async #raw(kind: ResourceKind, name: string): Promise<unknown> {
    try {
      return await this.#api.getNamespacedCustomObject({ ...this.#target(kind), name });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  #missing(kind: ResourceKind, ref: ResourceRef): ResourceNotFoundError {
    return new ResourceNotFoundError(
      `${describeResource(kind, ref, this.namespace)} does not exist`,
    );
  }

  #refusal(err: unknown): Error {
    const status = statusOf(err);
    return status === 422 || status === 400
      ? new ResourceRejectedError(reason(err))
      : (err as Error);
  }
}
