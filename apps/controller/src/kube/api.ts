import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { GROUP, KIND_DEFINITIONS, VERSION, type ResourceKind } from '@cryptoviz/resources';
import { kubeApiClient } from '@cryptoviz/resources/node';
import { FIELD_MANAGER } from '../labels.ts';

export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown; statusCode?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

const applyOptions = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const jsonPatchOptions = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** The parameters of a server-side apply of part of a custom resource (`fields`). */
function customApply(
  kind: ResourceKind,
  namespace: string,
  name: string,
  fields: { metadata?: Record<string, unknown>; status?: Record<string, unknown> },
) {
  return {
    group: GROUP,
    version: VERSION,
    namespace,
    plural: KIND_DEFINITIONS[kind].plural,
    name,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind,
      ...fields,
      metadata: { name, namespace, ...fields.metadata },
    },
    fieldManager: FIELD_MANAGER,
    force: true,
  };
}

/** The few API calls the controller makes, all server-side apply with one field manager. */
export class KubeApi {
  readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;

  constructor(readonly kc: KubeConfig) {
    this.objects = kubeApiClient(kc, KubernetesObjectApi);
    this.custom = kubeApiClient(kc, CustomObjectsApi);
    this.core = kubeApiClient(kc, CoreV1Api);
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    return this.objects.patch(
      object,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  async delete(object: KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(object);
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  async applyStatus(
    kind: ResourceKind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
  ): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      customApply(kind, namespace, name, { status }),
      applyOptions,
    );
  }

  /**
   * Removes one finalizer whoever added it. The `test` makes the patch fail rather than remove
   * another finalizer when the cached index is stale; the retry then reads a fresh one.
   */
  async removeFinalizer(
    kind: ResourceKind,
    namespace: string,
    name: string,
    index: number,
    finalizer: string,
  ): Promise<void> {
    const path = `/metadata/finalizers/${index}`;
    try {
      await this.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: KIND_DEFINITIONS[kind].plural,
          name,
          body: [
            { op: 'test', path, value: finalizer },
            { op: 'remove', path },
          ],
        },
        jsonPatchOptions,
      );
    } catch (err) {
      // Releasing the last finalizer of a deleted object may remove it before our answer.
      if (statusCode(err) !== 404) throw err;
    }
  }
}
