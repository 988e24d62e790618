import {
  recordKey,
  type EventType,
  type ResourceRecord,
  type ResourceReporter,
} from '../platform.ts';
import type { ResourceStatus } from '../status.ts';
import type { FolderResourceCache } from './folder-store.ts';

/** Locally, status stays in memory (and is printed as events); Secrets come from the folder. */
export class LocalReporter implements ResourceReporter {
  readonly statuses = new Map<string, ResourceStatus>();

  constructor(
    private readonly store: FolderResourceCache,
    private readonly onEvent: (line: string) => void,
  ) {}

  async writeStatus(record: ResourceRecord, status: ResourceStatus): Promise<void> {
    const key = recordKey(record.kind, record.namespace, record.name);
    this.statuses.set(key, status);
    this.store.rememberConditions(key, status.conditions);
  }

  async removeFinalizer(): Promise<void> {}

  async event(
    record: ResourceRecord,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    // Locally only what needs a person's attention is worth a line on the console.
    if (type === 'Warning') this.onEvent(`${record.kind} ${record.name}: ${reason}: ${message}`);
  }

  async secretHasKey(namespace: string, name: string, key: string): Promise<boolean> {
    return this.store.secret({ namespace, name }, key) !== undefined;
  }
}
