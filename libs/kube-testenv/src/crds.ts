import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
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

/** Applies CRD manifests (server-side apply) and waits until each is Established. */
export async function installCrds(kc: KubeConfig, files: string[]): Promise<void> {
  const objects = kc.makeApiClient(KubernetesObjectApi);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
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
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
