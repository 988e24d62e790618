/**
 * The workspace dependency rules (docs/DESIGN.md, "Guard rails"), checked over every import of
 * every source and test file: libs never import apps, the dashboard never imports the store or
 * the bus, libs/forecast imports nothing of ours, no workspaces import each other in a cycle,
 * and libs/resources stays pure: no Node built-in outside its `./node` subpath, no yaml outside
 * its `./yaml` subpath and, of the forecasting library, only its model catalog and verdicts
 * outside its `./warm-up` subpath, so the dashboard's browser bundle takes its schemas without
 * stubs, YAML or the models; code the browser loads takes libs/forecast by subpath, never its
 * root. `npm run check:deps` prints the violations and fails when there is one.
 *
 * dependency-cruiser would say the same, but its current release does not run on Node 20, which
 * this repository supports; TypeScript's own import scanner is enough for rules about packages.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', '.svelte-kit', 'build', 'dist', 'fixtures']);
const SOURCE_FILE = /\.(ts|js|svelte)$/;

export interface Import {
  from: string; // repository-relative path of the importing file
  workspace: string; // the importer's workspace, e.g. "libs/bus"
  target: string; // the imported workspace
}

/** `libs/bus/src/x.ts` → `libs/bus`; the root's own files belong to none. */
function workspaceOf(path: string): string | null {
  const [top, name] = path.split('/');
  if (top === 'bench') return 'bench';
  return (top === 'libs' || top === 'apps' || top === 'charts') && name ? `${top}/${name}` : null;
}

function workspaceNames(): Map<string, string> {
  const byPackage = new Map<string, string>();
  for (const top of ['libs', 'apps']) {
    for (const name of readdirSync(join(ROOT, top))) {
      const manifest = JSON.parse(readFileSync(join(ROOT, top, name, 'package.json'), 'utf8')) as {
        name: string;
      };
      byPackage.set(manifest.name, `${top}/${name}`);
    }
  }
  return byPackage;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* sourceFiles(join(dir, entry.name));
    } else if (SOURCE_FILE.test(entry.name)) yield join(dir, entry.name);
  }
}

/** The module specifiers a file imports (static, dynamic, re-exports, `import type`). */
function specifiersOf(file: string): string[] {
  let text = readFileSync(file, 'utf8');
  if (file.endsWith('.svelte')) {
    text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  }
  return ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
}

/** Every import from one workspace into another, across libs, apps, charts and bench. */
export function workspaceImports(): Import[] {
  const packages = workspaceNames();
  const imports: Import[] = [];
  for (const top of ['libs', 'apps', 'charts', 'bench']) {
    for (const file of sourceFiles(join(ROOT, top))) {
      const from = relative(ROOT, file).split(sep).join('/');
      const workspace = workspaceOf(from);
      if (!workspace) continue;
      for (const specifier of specifiersOf(file)) {
        const target = specifier.startsWith('.')
          ? workspaceOf(
              relative(ROOT, resolve(dirname(file), specifier))
                .split(sep)
                .join('/'),
            )
          : packages.get(specifier.split('/').slice(0, 2).join('/'));
        if (target && target !== workspace) imports.push({ from, workspace, target });
      }
    }
  }
  return imports;
}

interface Rule {
  name: string;
  forbids: (i: Import) => boolean;
}

const isTest = (i: Import) => /\/(test|component-tests)\//.test(i.from);

/** Imports the rules let through on purpose, each with its reason. */
const EXEMPT: { allows: (i: Import) => boolean; why: string }[] = [
  {
    allows: (i) => i.workspace === 'apps/web' && isTest(i) && i.target === 'libs/store',
    why: "the dashboard's end-to-end tests run the whole stack and seed its database",
  },
  {
    allows: (i) => i.workspace === 'libs/forecast' && isTest(i) && i.target === 'libs/market',
    why: "forecast's tests score models on recorded market data, read with market's CSV reader",
  },
];

export const RULES: Rule[] = [
  {
    name: 'libs never import apps',
    forbids: (i) => i.workspace.startsWith('libs/') && i.target.startsWith('apps/'),
  },
  {
    name: 'the dashboard (apps/web) never imports libs/store or libs/bus',
    forbids: (i) => i.workspace === 'apps/web' && ['libs/store', 'libs/bus'].includes(i.target),
  },
  {
    name: 'libs/forecast imports nothing of ours',
    forbids: (i) => i.workspace === 'libs/forecast',
  },
];

/**
 * A workspace's tests are a node of their own in the graph: they depend on it, it does not
 * depend on them, so testkit (used by the tests of the libs it builds on) makes no cycle.
 */
const nodeOf = (i: Import) => (isTest(i) ? `${i.workspace} (tests)` : i.workspace);

/** A cycle between workspaces, as `a → b → … → a`, or null. */
export function workspaceCycle(imports: Import[]): string[] | null {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) edges.set(nodeOf(i), (edges.get(nodeOf(i)) ?? new Set()).add(i.target));
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | null => {
    const seen = path.indexOf(node);
    if (seen !== -1) return [...path.slice(seen), node];
    if (done.has(node)) return null;
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return null;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
}

/** What libs/resources' main entry may take from libs/forecast: the catalog and verdicts only. */
const PURE_FORECAST = new Set(['@cryptoviz/forecast/catalog', '@cryptoviz/forecast/verdicts']);

/**
 * Files of libs/resources' main entry that import a Node built-in (only src/node/ may), the
 * forecasting library beyond its model catalog (only the `./warm-up` subpath, model-warm-up.ts,
 * builds models) or yaml (only the `./yaml` subpath, yaml.ts, parses and prints it), each with
 * the import at fault.
 */
function impureResourcesImports(): string[] {
  const dir = join(ROOT, 'libs/resources/src');
  return [...sourceFiles(dir)]
    .filter((file) => !relative(dir, file).startsWith(`node${sep}`))
    .flatMap((file) => {
      const name = relative(ROOT, file).split(sep).join('/');
      const warmUp = relative(dir, file) === 'model-warm-up.ts';
      const yaml = relative(dir, file) === 'yaml.ts';
      return specifiersOf(file)
        .filter(
          (specifier) =>
            specifier.startsWith('node:') ||
            (!yaml && specifier === 'yaml') ||
            (!warmUp &&
              specifier.startsWith('@cryptoviz/forecast') &&
              !PURE_FORECAST.has(specifier)),
        )
        .map((specifier) =>
          specifier.startsWith('node:')
            ? `${name} imports a Node built-in (move it to src/node)`
            : specifier === 'yaml'
              ? `${name} imports yaml (YAML belongs to ./yaml, which the dashboard does not load)`
              : `${name} imports ${specifier} (only ./catalog and ./verdicts; models belong to ./warm-up)`,
        );
    });
}

/**
 * Imports of the forecasting library's root by code the browser loads: the dashboard's sources
 * (not src/server/) and libs/resources' `./warm-up`, which its form takes. The root's barrel
 * evaluates every module, backtests and their @stdlib statistics included, so a page that needs
 * one rule or the catalog would carry the whole library; subpaths carry only what they name.
 */
function browserForecastRootImports(): string[] {
  const web = join(ROOT, 'apps/web/src');
  const files = [
    ...[...sourceFiles(web)].filter((file) => !relative(web, file).startsWith(`server${sep}`)),
    join(ROOT, 'libs/resources/src/model-warm-up.ts'),
  ];
  return files.flatMap((file) =>
    specifiersOf(file)
      .filter((specifier) => specifier === '@cryptoviz/forecast')
      .map(
        () =>
          `${relative(ROOT, file).split(sep).join('/')} imports @cryptoviz/forecast (import by subpath)`,
      ),
  );
}

/** The TypeScript project of a workspace's sources; the dashboard's is its Node server's. */
export function sourceProjectOf(workspace: string): string {
  return workspace === 'apps/web' ? 'apps/web/src/server' : workspace;
}

/**
 * A project's folder, e.g. `libs/bus/test`, → the node it stands for, e.g. `libs/bus (tests)`;
 * null for a folder that is no package's (charts' tests, the root's).
 */
function projectNode(folder: string, workspaces: Iterable<string>): string | null {
  for (const workspace of workspaces) {
    if (folder === sourceProjectOf(workspace)) return workspace;
    if (folder === `${workspace}/test`) return `${workspace} (tests)`;
  }
  return null;
}

function referencesOf(folder: string): string[] | null {
  const file = join(ROOT, folder, 'tsconfig.json');
  if (!existsSync(file)) return null;
  const { config } = ts.readConfigFile(file, (path) => ts.sys.readFile(path));
  if (!config) return null;
  const references = (config as { references?: { path: string }[] }).references ?? [];
  return references.map((r) =>
    relative(ROOT, resolve(ROOT, folder, r.path))
      .split(sep)
      .join('/'),
  );
}

/**
 * Each workspace's TypeScript projects (docs/DESIGN.md, "One tsconfig per package") against
 * its package.json: the sources' project references exactly the workspaces `dependencies`
 * names; the tests' project, its own sources and those of `dependencies` and
 * `devDependencies` (and may reference those workspaces' tests, for their fixtures, and the
 * repository's own test folders, which are no package's). The root
 * tsconfig.json references every project, so `tsc -b` checks them all.
 */
export function projectReferenceProblems(): string[] {
  const problems: string[] = [];
  const packages = workspaceNames();
  const rootReferences = new Set(referencesOf('.') ?? []);
  for (const [name, workspace] of [...packages, ['@cryptoviz/bench', 'bench'] as const]) {
    const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const ours = (deps: Record<string, string> = {}) =>
      Object.keys(deps).flatMap((dep) =>
        packages.has(dep) && dep !== name ? [packages.get(dep)!] : [],
      );
    const runtime = new Set(ours(manifest.dependencies));
    const forTests = new Set([workspace, ...runtime, ...ours(manifest.devDependencies)]);
    const projects: [string, Set<string>][] = [[sourceProjectOf(workspace), runtime]];
    if (existsSync(join(ROOT, workspace, 'test'))) projects.push([`${workspace}/test`, forTests]);
    for (const [folder, declared] of projects) {
      const references = referencesOf(folder);
      if (!references) {
        problems.push(`${folder}/tsconfig.json is missing: every package has its own project`);
        continue;
      }
      if (!rootReferences.has(folder)) {
        problems.push(`tsconfig.json does not reference ${folder}, so \`tsc -b\` never checks it`);
      }
      const nodes = references.map((reference) => projectNode(reference, packages.values()));
      for (const node of nodes) {
        // Folders that are no package's (charts' tests, the root's) are outside package.json's reach.
        if (node && !declared.has(node.replace(/ \(tests\)$/, ''))) {
          problems.push(
            `${folder}/tsconfig.json references ${node}, which its package.json does not declare`,
          );
        }
      }
      for (const target of declared) {
        if (!nodes.includes(target)) {
          problems.push(
            `${folder}/tsconfig.json does not reference ${target}, which its package.json declares`,
          );
        }
      }
    }
  }
  return problems;
}

/** Every violation, one line each, naming the file and the import that breaks the rule. */
export function dependencyViolations(): string[] {
  const imports = workspaceImports();
  const violations = RULES.flatMap((rule) =>
    imports
      .filter((i) => rule.forbids(i) && !EXEMPT.some((e) => e.allows(i)))
      .map((i) => `${rule.name}: ${i.from} imports ${i.target}`),
  );
  for (const finding of impureResourcesImports()) {
    violations.push(`libs/resources stays pure: ${finding}`);
  }
  for (const finding of browserForecastRootImports()) {
    violations.push(`the browser takes libs/forecast by subpath: ${finding}`);
  }
  violations.push(...projectReferenceProblems().map((p) => `one tsconfig per package: ${p}`));
  const cycle = workspaceCycle(imports);
  if (cycle) {
    const witnesses = cycle.slice(1).map((target, k) => {
      const edge = imports.find((i) => nodeOf(i) === cycle[k] && i.target === target);
      return `${edge?.from ?? '?'} imports ${target}`;
    });
    violations.push(`no cycles between workspaces: ${cycle.join(' → ')} (${witnesses.join('; ')})`);
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const violations = dependencyViolations();
  for (const violation of violations) console.error(violation);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
