import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import { API_VERSION } from '@cryptoviz/resources';
import { FIELD_MANAGER } from '../labels.ts';
import type { EventType, ResourceRecord, ResourceReporter } from '../platform.ts';
import type { ResourceStatus } from '../status.ts';
import { statusCode, type KubeApi } from './api.ts';
import type { KubernetesResourceCache } from './store.ts';

/** Status (server-side applied, skipped when unchanged), finalizers, Events, Secret lookups. */
export class KubernetesReporter implements ResourceReporter {
  constructor(
    private readonly api: KubeApi,
    private readonly store: KubernetesResourceCache,
    private readonly instance: string,
  ) {}

  async writeStatus(record: ResourceRecord, status: ResourceStatus): Promise<void> {
    const key = `${record.kind}/${record.namespace}/${record.name}`;
    if (isDeepStrictEqual(this.store.status(key), status)) return;
    await this.api.applyStatus(record.kind, record.namespace, record.name, status);
  }

  async removeFinalizer(record: ResourceRecord, finalizer: string): Promise<void> {
    const index = record.finalizers.indexOf(finalizer);
    if (index < 0) return;
    await this.api.removeFinalizer(record.kind, record.namespace, record.name, index, finalizer);
  }

  async event(
    record: ResourceRecord,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date();
    try {
      await this.api.core.createNamespacedEvent({
        namespace: record.namespace,
        body: {
          metadata: {
            name: `${record.name}.${randomBytes(8).toString('hex')}`,
            namespace: record.namespace,
          },
          involvedObject: {
            apiVersion: API_VERSION,
            kind: record.kind,
            name: record.name,
            namespace: record.namespace,
            uid: record.uid,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: this.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch {
      // An Event is a courtesy; failing to record one must not fail the reconcile.
    }
  }

  async secretHasKey(namespace: string, name: string, key: string): Promise<boolean | undefined> {
    try {
      const secret = await this.api.core.readNamespacedSecret({ name, namespace });
      return secret.data?.[key] !== undefined || secret.stringData?.[key] !== undefined;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      return undefined;
    }
  }
}
