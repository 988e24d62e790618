import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { refOf, resourceKey, type Resource, type ResourceRef } from '@cryptoviz/resources';
import { recordKey, type ResourceRecord, type ResourceCache } from '../platform.ts';
import { isManifestFile, readManifestFile, type ManifestFile } from './manifest-folder.ts';

/**
 * Resources from a folder of manifests, validated by the shared schema and re-read when files
 * change (fs.watch, debounced: editors write in several steps). A file that stops parsing keeps
 * its last good content, and the error is reported, so a half-saved edit stops nothing.
 */
export class FolderResourceCache implements ResourceCache {
  private readonly files = new Map<string, ManifestFile>();
  private records = new Map<string, ResourceRecord>();
  private readonly listeners: ((key: string) => void)[] = [];
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    private readonly onProblem: (message: string) => void = () => undefined,
    private readonly debounceMs = 200,
  ) {}

  /** Reads the folder; throws on an invalid file (a bad start is refused, not half-run). */
  async load(): Promise<void> {
    for (const file of await this.manifestFiles()) {
      this.files.set(file, await readManifestFile(join(this.dir, file)));
    }
    this.rebuild();
  }

  watch(): void {
    this.watcher = watch(this.dir, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), this.debounceMs);
    });
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  onChange(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  keys(): string[] {
    return [...this.records.keys()];
  }

  get(key: string): ResourceRecord | undefined {
    return this.records.get(key);
  }

  resources(): Resource[] {
    return [...this.records.values()].map((record) => record.object as Resource);
  }

  /** A key of the Secret `ref` (a Secret lives in a namespace: only that namespace's). */
  secret(ref: ResourceRef, key: string): string | undefined {
    for (const file of this.files.values()) {
      const value = file.secrets.get(resourceKey(ref))?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private async manifestFiles(): Promise<string[]> {
    return (await readdir(this.dir)).filter(isManifestFile).sort();
  }

  private async reload(): Promise<void> {
    const present = new Set(await this.manifestFiles().catch(() => []));
    for (const file of this.files.keys()) if (!present.has(file)) this.files.delete(file);
    for (const file of present) {
      try {
        this.files.set(file, await readManifestFile(join(this.dir, file)));
      } catch (err) {
        // Only a file that once parsed has a version to keep; a new one runs nothing yet.
        this.onProblem(
          `${(err as Error).message} (${this.files.has(file) ? 'keeping the last good version' : 'nothing in this file runs until it is valid'})`,
        );
      }
    }
    const changed = this.rebuild();
    for (const key of changed) for (const listener of this.listeners) listener(key);
  }

  /** Recomputes records; returns the keys that appeared, changed or disappeared. */
  private rebuild(): string[] {
    const next = new Map<string, ResourceRecord>();
    for (const file of [...this.files.keys()].sort()) {
      for (const resource of this.files.get(file)!.resources) {
        // A manifest without metadata.namespace is in `default`, as `kubectl apply` would put it.
        const { namespace, name } = refOf(resource);
        const key = recordKey(resource.kind, namespace, name);
        const previous = this.records.get(key);
        const same = previous && isDeepStrictEqual(previous.object, resource);
        next.set(key, {
          kind: resource.kind,
          namespace,
          name,
          generation: same ? previous.generation : (previous?.generation ?? 0) + 1,
          deleting: false,
          finalizers: [],
          object: resource,
          conditions: previous?.conditions,
        });
      }
    }
    const changed = [...next.keys()].filter(
      (key) => next.get(key)!.generation !== this.records.get(key)?.generation,
    );
    const removed = [...this.records.keys()].filter((key) => !next.has(key));
    this.records = next;
    return [...changed, ...removed];
  }

  /** Remembers conditions, so transition times and events behave as in a cluster. */
  rememberConditions(key: string, conditions: ResourceRecord['conditions']): void {
    const record = this.records.get(key);
    if (record) record.conditions = conditions;
  }
}
