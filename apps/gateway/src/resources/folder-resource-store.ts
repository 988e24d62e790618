import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, Document } from 'yaml';
import { parseManifests, type Resource, type ResourceKind } from '@cryptoviz/resources';
import {
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

function sameObject(a: Pick<Resource, 'kind' | 'metadata'>, kind: string, name: string): boolean {
  return a.kind === kind && a.metadata.name === name;
}

/**
 * Resources as YAML manifests in one folder (sub-folders are not read, as `cryptoviz up`
 * reads it). A new resource gets a file of its own; an update or delete rewrites only its
 * document, so comments and other documents (Secrets, …) in a shared file stay as written.
 * Writes go to a temporary file renamed into place, and one mutation runs at a time.
 */
export class FolderResourceStore implements ResourceStore {
  readonly backend = 'folder' as const;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  async list(): Promise<ResourceListing> {
    const { located, errors } = await this.#scan();
    return { resources: located.map((l) => l.resource), errors };
  }

  async get(kind: ResourceKind, name: string): Promise<Resource | undefined> {
    const { located } = await this.#scan();
    return located.find((l) => sameObject(l.resource, kind, name))?.resource;
  }

  create(resource: Resource): Promise<Resource> {
    return this.#serially(async () => {
      const { located } = await this.#scan();
      if (located.some((l) => sameObject(l.resource, resource.kind, resource.metadata.name))) {
        throw new ResourceConflictError(
          `${resource.kind} "${resource.metadata.name}" already exists`,
        );
      }
      await mkdir(this.dir, { recursive: true });
      const taken = new Set(await readdir(this.dir));
      let file = `${FILE_PREFIX[resource.kind]}-${resource.metadata.name}.yaml`;
      for (let n = 2; taken.has(file); n++) {
        file = `${FILE_PREFIX[resource.kind]}-${resource.metadata.name}-${n}.yaml`;
      }
      await this.#write(file, new Document(resource).toString());
      return resource;
    });
  }

  update(resource: Resource): Promise<Resource> {
    return this.#serially(async () => {
      const found = await this.#find(resource.kind, resource.metadata.name);
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

  delete(kind: ResourceKind, name: string): Promise<void> {
    return this.#serially(async () => {
      const found = await this.#find(kind, name);
      await this.#rewrite(found, (docs) => docs.filter((_, i) => i !== found.index));
    });
  }

  async #find(kind: ResourceKind, name: string): Promise<Located> {
    const { located } = await this.#scan();
    const found = located.find((l) => sameObject(l.resource, kind, name));
    if (!found) throw new ResourceNotFoundError(`${kind} "${name}" does not exist`);
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
