import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCrd, CRD_KINDS, crdFileName, toStructuralSchema } from '../src/index.ts';
import { renderCrdYaml } from '../src/yaml.ts';

const crdsDir = join(import.meta.dirname, '../../../crds');

describe('CRDs', () => {
  it.each(CRD_KINDS)('crds/ holds the %s CRD generated from the schema (npm run crds)', (kind) => {
    const onDisk = readFileSync(join(crdsDir, crdFileName(kind)), 'utf8');
    expect(onDisk, `crds/${crdFileName(kind)} drifted from libs/resources: run npm run crds`).toBe(
      renderCrdYaml(kind),
    );
  });

  it('types every node and leaves no $ref, so the schema is structural', () => {
    const untyped: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (typeof node.type !== 'string') untyped.push(path);
      if ('$ref' in node) untyped.push(`${path} ($ref)`);
      for (const [key, child] of Object.entries(
        (node.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        walk(child, `${path}.${key}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
      if (typeof node.additionalProperties === 'object') {
        walk(node.additionalProperties as Record<string, unknown>, `${path}.*`);
      }
    };
    for (const kind of CRD_KINDS) {
      const version = (
        buildCrd(kind).spec as { versions: { schema: { openAPIV3Schema: never } }[] }
      ).versions[0]!;
      walk(version.schema.openAPIV3Schema, kind);
    }
    expect(untyped).toEqual([]);
  });

  it('refuses a schema a CRD cannot express instead of weakening it', () => {
    expect(() => toStructuralSchema(z.union([z.string(), z.number()]))).toThrow(/anyOf/);
  });
});
