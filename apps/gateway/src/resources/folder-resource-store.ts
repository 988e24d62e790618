import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, Document } from 'yaml';
import {
  DEFAULT_NAMESPACE,
  refOf,
  resourceKey,
  resourceKeyOf,
  type Resource,
  type ResourceKind,
  type ResourceRef,
} from '@cryptoviz/resources';
import { parseManifests } from '@cryptoviz/resources/yaml';
import {
  describeResource,
  ResourceConflictError,
  ResourceNotFoundError,
  type ResourceListing,
  type ResourceStore,
} from '@cryptoviz/api';

const MANIFEST_FILE = /\.(ya?ml|json)$/;
const FILE_PREFIX: Record<ResourceKind, string> = {
  CryptoSource: 'source',
  PredictionModel: 'model',
};

interface Located {
  resource: Resource;
  file: string;
  /** Index of the resource's document in its file. */
  index: number;
}

function sameObject(a: Resource, kind: ResourceKind, ref: ResourceRef): boolean {
  return a.kind === kind && resourceKeyOf(a) === resourceKey(ref);
}

/**
 * A new resource's file: `source-binance.yaml` in `default`, `source-team-a.binance.yaml`
 * elsewhere (a dot is in no namespace or name, so two namespaces never share a file name).
 */
function fileStem(kind: ResourceKind, ref: ResourceRef): string {
  const qualified = ref.namespace === DEFAULT_NAMESPACE ? ref.name : `${ref.namespace}.${ref.name}`;
  return `${FILE_PREFIX[kind]}-${qualified}`;
}

/**
 * Resources as YAML manifests in one folder (sub-folders are not read, as `cryptoviz up`
 * reads it). A new resource gets a file of its own; an update or delete rewrites only its
 * document, so comments and other documents (Secrets, …) in a shared file stay as written.
 * Writes go to a temporary file renamed into place, and one mutation runs at a time.
 */
export class FolderResourceStore implements ResourceStore {
  readonly backend = 'folder' as const;
  /** Locally the current namespace is `default`: a manifest without one is there (`refOf`). */
  readonly namespace = DEFAULT_NAMESPACE;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  async list(): Promise<ResourceListing> {
    const { located, errors } = await this.#scan();
    return { resources: located.map((l) => l.resource), errors };
  }

  async get(kind: ResourceKind, ref: ResourceRef): Promise<Resource | undefined> {
    const { located } = await this.#scan();
    return located.find((l) => sameObject(l.resource, kind, ref))?.resource;
  }

  create(resource: Resource): Promise<Resource> {
    return this.#serially(async () => {
      const { located } = await this.#scan();
      const ref = refOf(resource);
      if (located.some((l) => sameObject(l.resource, resource.kind, ref))) {
        throw new ResourceConflictError(
          `${describeResource(resource.kind, ref, this.namespace)} already exists`,
        );
      }
      await mkdir(this.dir, { recursive: true });
      const taken = new Set(await readdir(this.dir));
      const stem = fileStem(resource.kind, ref);
      let file = `${stem}.yaml`;
      for (let n = 2; taken.has(file); n++) file = `${stem}-${n}.yaml`;
      await this.#write(file, new Document(resource).toString());
      return resource;
    });
  }

  update(resource: Resource): Promise<Resource> {
    return this.#serially(async () => {
      const found = await this.#find(resource.kind, refOf(resource));
      await this.#rewrite(found, (docs) => {
        // Values are replaced in place, so the user's comments around them stay.
        const doc = docs[found.index]!;
        doc.set('apiVersion', resource.apiVersion);
        doc.set('kind', resource.kind);
        doc.set('metadata', doc.createNode(resource.metadata));
        doc.set('spec', doc.createNode(resource.spec));
        return docs;
      });
      return resource;
    });
  }

  delete(kind: ResourceKind, ref: ResourceRef): Promise<void> {
    return this.#serially(async () => {
      const found = await this.#find(kind, ref);
      await this.#rewrite(found, (docs) => docs.filter((_, i) => i !== found.index));
    });
  }

  async #find(kind: ResourceKind, ref: ResourceRef): Promise<Located> {
    const { located } = await this.#scan();
    const found = located.find((l) => sameObject(l.resource, kind, ref));
    if (!found) {
      throw new ResourceNotFoundError(
        `${describeResource(kind, ref, this.namespace)} does not exist`,
      );
    }
    return found;
  }

  async #scan(): Promise<{ located: Located[]; errors: string[] }> {
    const files = (await readdir(this.dir).catch(() => [] as string[]))
      .filter((f) => MANIFEST_FILE.test(f))
      .sort();
    const located: Located[] = [];
    const errors: string[] = [];
    for (const file of files) {
      try {
        const text = await readFile(join(this.dir, file), 'utf8');
        const docs = parseAllDocuments(text);
        // parseManifests validates every document of ours; map each back to its index.
        parseManifests(text, file);
        docs.forEach((doc, index) => {
          const value: unknown = doc.toJS();
          const parsed = value ? parseManifests(doc.toString(), file).resources[0] : undefined;
          if (parsed) located.push({ resource: parsed, file, index });
        });
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    return { located, errors };
  }

  async #rewrite(found: Located, edit: (docs: Document[]) => Document[]) {
    const path = join(this.dir, found.file);
    const docs = edit(parseAllDocuments(await readFile(path, 'utf8')));
    if (docs.every((doc) => doc.contents === null)) {
      await rm(path);
      return;
    }
    const texts = docs.map((doc, i) => {
      const text = doc.toString();
      return i > 0 && !text.startsWith('---') ? `---\n${text}` : text;
    });
    await this.#write(found.file, texts.join(''));
  }

  async #write(file: string, text: string): Promise<void> {
    const temp = join(this.dir, `.${file}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temp, text, 'utf8');
    await rename(temp, join(this.dir, file));
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
