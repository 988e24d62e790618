import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';

const crdsDir = join(import.meta.dirname, '../../../crds');

export function repositoryCrdFiles(): string[] {
  return readdirSync(crdsDir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => join(crdsDir, file));
}

/**
 * Applies CRD manifests (server-side apply) and waits until each is Established and its
 * objects can be listed: a just-started API server answers 429 for a while after it is ready,
 * until its priority-and-fairness configuration is in place, and every test would otherwise
 * wait for that itself.
 */
export async function installCrds(kc: KubeConfig, files: string[]): Promise<void> {
  const objects = kc.makeApiClient(KubernetesObjectApi);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const names: string[] = [];
  for (const file of files) {
    // Typed objects, not plain YAML: the client's serializer reads `x-kubernetes-*`, `enum` and
    // `default` from their typed names and would silently drop them from plain JSON.
    for (const crd of loadAllYaml(readFileSync(file, 'utf8')) as (KubernetesObject | null)[]) {
      if (!crd) continue;
      await objects.patch(
        crd,
        undefined,
        undefined,
        'cryptoviz-testenv',
        true,
        PatchStrategy.ServerSideApply,
      );
      names.push(crd.metadata!.name!);
    }
  }
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    for (;;) {
      const crd = await extensions.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established) {
        const { group, versions, names: plural } = crd.spec;
        const served = await custom
          .listClusterCustomObject({ group, version: versions[0]!.name, plural: plural.plural })
          .then(
            () => true,
            () => false,
          );
        if (served) break;
      }
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not served within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
