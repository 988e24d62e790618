import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES } from '@cryptoviz/forecast';
import { PROVIDERS, type Resource } from '@cryptoviz/resources';
import { parseManifests } from '@cryptoviz/resources/yaml';
import { sampleFiles, samplesDir } from './sample-files.ts';

describe('k8s-dev/samples', () => {
  const resources: Resource[] = sampleFiles().flatMap(
    (file) => parseManifests(readFileSync(file, 'utf8'), relative(samplesDir, file)).resources,
  );

  it('are valid by the shared schema and cover every provider and every algorithm', () => {
    const providers = new Set(
      resources.flatMap((r) => (r.kind === 'CryptoSource' ? [r.spec.provider] : [])),
    );
    const algorithms = new Set(
      resources.flatMap((r) => (r.kind === 'PredictionModel' ? [r.spec.algorithm] : [])),
    );
    expect([...providers].sort()).toEqual([...PROVIDERS].sort());
    expect([...algorithms].sort()).toEqual([...MODEL_NAMES].sort());
  });

  it('use unique names per kind', () => {
    const keys = resources.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
