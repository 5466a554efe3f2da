import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// ref → auth → transport → registry → ops → api → commands → cli: imports go one way. Each layer lists what it may
// import. The CLI has one door into the library: commands and cli.ts reach operations only through api (the
// package's facade), never ops, content, registry, transport or store.
// ref (the image-reference model and the digest algorithms) is the bottom: every layer that names images may use it.
const ALLOWED: Record<string, string[]> = {
  'errors.ts': [],
  util: ['errors.ts'],
  ref: ['errors.ts'],
  oci: ['ref', 'errors.ts'],
  template: ['errors.ts'],
  docs: [],
  auth: ['errors.ts', 'util'],
  config: ['errors.ts', 'util'],
  transport: ['auth', 'config', 'errors.ts', 'util'],
  content: ['oci', 'ref', 'errors.ts', 'util'],
  registry: ['content', 'transport', 'oci', 'ref', 'errors.ts', 'util'],
  store: ['content', 'oci', 'ref', 'errors.ts', 'util'],
  archive: ['content', 'oci', 'ref', 'errors.ts', 'util'],
  daemon: ['errors.ts', 'util'],
  image: ['content', 'archive', 'oci', 'errors.ts', 'util'],
  // Signing, verifying and trust policies (src/trust): beside ops, which (with api) calls it.
  trust: ['content', 'registry', 'store', 'archive', 'transport', 'auth', 'config', 'oci', 'ref', 'errors.ts', 'util'],
  ops: ['trust', 'image', 'daemon', 'content', 'registry', 'store', 'archive', 'transport', 'auth', 'config', 'oci', 'ref', 'errors.ts', 'util'],
  output: ['ops', 'content', 'oci', 'template', 'errors.ts'],
  commands: ['api', 'output', 'docs', 'oci', 'ref', 'errors.ts', 'util'],
  // The library's facade (the package's main entry): calls without a context take this process's defaults.
  api: ['ops', 'trust', 'image', 'content', 'store', 'registry', 'transport', 'auth', 'config', 'oci', 'ref', 'template', 'errors.ts', 'util'],
  'cli.ts': ['commands', 'api', 'output', 'docs', 'errors.ts', 'util'],
  'credential-helper.ts': ['auth', 'errors.ts'],
  'bin.ts': ['cli.ts', 'api'],
};
// The library core never prints, exits or reads the environment; only bin.ts, the helper's entry and the facade's
// api/environment.ts (the defaults of a call without a context) may.
const PROCESS_FREE = ['util', 'ref', 'oci', 'template', 'docs', 'auth', 'config', 'transport', 'content', 'registry', 'store', 'archive', 'image', 'daemon', 'trust', 'ops', 'output', 'commands', 'cli.ts', 'errors.ts'];

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0]!.replace(/\.js$/, '.ts');

test('imports go one way between layers', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    if (layer === 'index.ts') continue;
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `unknown layer ${layer}: add it to ALLOWED`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = layerOf(resolve(file, '..', m[1]!));
      if (target !== layer && !allowed.includes(target)) violations.push(`${relative(SRC, file)} imports ${m[1]}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('one door: commands and cli.ts may not import ops, content, registry, transport or store', () => {
  for (const layer of ['commands', 'cli.ts']) {
    for (const inner of ['ops', 'content', 'registry', 'transport', 'store']) assert.ok(!ALLOWED[layer]!.includes(inner), `${layer} → ${inner}`);
  }
});

test('the library core never touches process (no printing, exiting or env reads)', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    if (!PROCESS_FREE.includes(layerOf(file))) continue;
    const rel = relative(SRC, file);
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const bad of ['process.env', 'process.exit', 'process.stdout', 'process.stderr', 'console.']) {
      if (text.includes(bad)) violations.push(`${rel}: ${bad}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('no import cycles between files (type-only imports included: a cycle is a cycle)', () => {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*'(\.[^']+)'|import\s*\(\s*'(\.[^']+)'\s*\)/gm)) {
      deps.push(resolve(file, '..', (m[1] ?? m[2])!).replace(/\.js$/, '.ts'));
    }
    graph.set(file, deps);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('tags and digests are told apart only by the reference model (src/ref): no ad-hoc sniffing elsewhere', () => {
  const violations: string[] = [];
  // `'latest'` (the default tag), `/^sha…/` and `startsWith('sha…')` (is it a digest?), and `includes(':')` on a
  // tag-or-digest string: each belongs to src/ref (selector.ts, digest-algorithms.ts). auth's user:password and
  // host checks are not about images.
  const sniffing = [/['"]latest['"]/, /\/\^sha/, /startsWith\(['"]sha/, /includes\(['"][:@]['"]\)/];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith('ref/') || rel.startsWith('auth/')) continue;
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const re of sniffing) if (re.test(text)) violations.push(`${rel}: ${re}`);
  }
  assert.deepEqual(violations, []);
});
