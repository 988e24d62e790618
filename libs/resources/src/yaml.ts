/**
 * The YAML side of the resources (`@cryptoviz/resources/yaml`): parsing manifest files and
 * rendering the CRDs. A subpath of its own because the dashboard, which gets resources as
 * objects from the API, would otherwise ship a YAML parser and printer it never calls.
 */
import { parseAllDocuments, stringify, type YAMLError } from 'yaml';
import { buildCrd } from './crd/definitions.ts';
import { formatIssues } from './issues.ts';
import { ManifestError, resourceSchemas, type Resource, type ResourceKind } from './manifest.ts';

/**
 * A YAML syntax error by its kind and place only: the parser's own message quotes the
 * offending line, which in a folder that also holds Secrets may be an API key.
 */
function yamlProblem(error: YAMLError): string {
  const what = error.message.split(' at line ')[0]!.trim();
  const at = error.linePos?.[0];
  return at ? `${what} (line ${at.line}, column ${at.col})` : what;
}

/**
 * Parses one YAML file that may hold several documents. Documents of kinds we do not own
 * (Secrets, ConfigMaps, …) are returned untouched in `others`, so one folder can hold a
 * whole deployment.
 */
export function parseManifests(
  text: string,
  origin: string,
): { resources: Resource[]; others: Record<string, unknown>[] } {
  const resources: Resource[] = [];
  const others: Record<string, unknown>[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    const where = `${origin} (document ${index + 1})`;
    if (doc.errors.length > 0) throw new ManifestError(`${where}: ${yamlProblem(doc.errors[0]!)}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(`${where}: expected a Kubernetes object`);
    }
    const kind = (value as { kind?: unknown }).kind;
    const schema = typeof kind === 'string' ? resourceSchemas[kind as ResourceKind] : undefined;
    if (!schema) {
      others.push(value as Record<string, unknown>);
      continue;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
      throw new ManifestError(
        `${where}: ${String(kind)} ${typeof name === 'string' ? `"${name}" ` : ''}is invalid: ${formatIssues(result.error)}`,
      );
    }
    resources.push(result.data);
  }
  return { resources, others };
}

export function renderCrdYaml(kind: ResourceKind): string {
  const header = '# Generated from libs/resources by `npm run crds`. Do not edit by hand.\n';
  return header + stringify(buildCrd(kind), { lineWidth: 0 });
}
