// The packed package as a dependency of an empty project (installed offline from npm's cache): an ES module script
// and a CommonJS one (`require`, Node's require(esm)) copy an image between two real registries, on this Node and
// on the lowest Node package.json's `engines` allows (installed from the npm registry, helpers/package.ts); tsc
// --strict accepts TypeScript consumers, ESM and CJS, under node16, nodenext and bundler resolution.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installed } from './helpers/installed.js';
import { lowestNode, nodeBinary, npmInstall, pkg, REPO } from './helpers/package.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const NODE_INSTALL_TIMEOUT_MS = 170_000;

// What a consumer writes, typed: the ESM form, and the CJS forms. A CJS file imports the package statically where
// TypeScript knows Node can require(esm) (nodenext, bundler); under node16 it imports types with resolution-mode and
// the code with import(), as TypeScript requires for an ES-module-only package.
const ESM = (name: string) => `
  import { copy, createContext, digest, NotFoundError, type CopyProgress, type CopyResult, type SyncReport } from '${name}';
  import { run } from '${name}/cli';
  const events: CopyProgress[] = [];
  const result: CopyResult = await copy('a/b:1', 'c/d:1', { onProgress: (e) => events.push(e), signal: AbortSignal.timeout(1000) });
  const context = await createContext({ insecure: true });
  const d: string = await digest('a/b:1', { context, credentials: { creds: { username: 'u', password: 'p' } } });
  await context.close();
  const code: number = await run(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, homedir: '/', runtime: process });
  export const used = [result.digest, d, code, events.length, NotFoundError.name] as const;
  export type Status = SyncReport['images'][number]['status'];
`;
const CJS_REQUIRE = (name: string) => `
  import { copy, digest, RegctlError, type CopyResult } from '${name}';
  import { run } from '${name}/cli';
  export async function mirror(src: string, dst: string): Promise<string[]> {
    const result: CopyResult = await copy(src, dst);
    return [result.digest, await digest(dst), typeof run, RegctlError.name];
  }
`;
const CJS_IMPORT = (name: string) => `
  import type { CopyResult } from '${name}' with { 'resolution-mode': 'import' };
  export async function mirror(src: string, dst: string): Promise<string[]> {
    const { copy, digest } = await import('${name}');
    const result: CopyResult = await copy(src, dst);
    return [result.digest, await digest(dst)];
  }
`;

describe('the package as a dependency', () => {
  let dir: string;
  let project: string;
  let a: RegistryHandle;
  let b: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regctl-consumer-'));
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    image = await seedImage({ url: a.url }, 'pkg/app', '1');
    home = await makeHome();
    project = join(dir, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await npmInstall([(await installed()).tarball], project);
    await writeFile(join(project, 'mirror.mjs'), `
      import { copy, digest } from '${pkg.name}';
      const [src, dst] = process.argv.slice(2);
      const { digest: copied } = await copy(src, dst);
      console.log(copied, await digest(dst));
    `);
    await writeFile(join(project, 'mirror.cjs'), `
      const { copy, digest } = require('${pkg.name}');
      const { run } = require('${pkg.name}/cli');
      const [src, dst] = process.argv.slice(2);
      copy(src, dst).then(async ({ digest: copied }) => console.log(copied, await digest(dst), typeof run));
    `);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), home?.cleanup()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs a script of the project with `node`, copying the seeded image to a new repository of registry b. */
  const mirror = (node: string, script: string, repo: string) =>
    spawnCapture('sh', ['-c', 'cd "$0" && exec "$1" "$2" "$3" "$4"', project, node, script, `${a.host}/pkg/app:1`, `${b.host}/${repo}:1`], home.env);

  test('an .mjs script (import) and a .cjs script (require) copy between two registries on this Node', async () => {
    const esm = await mirror(process.execPath, 'mirror.mjs', 'esm/app');
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(esm.stdout, `${image.digest} ${image.digest}\n`);
    const cjs = await mirror(process.execPath, 'mirror.cjs', 'cjs/app');
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.equal(cjs.stdout, `${image.digest} ${image.digest} function\n`);
    assert.equal(cjs.stderr, '', 'no warning');
  });

  test(`on the lowest Node engines allows (${pkg.engines.node}): require, import and the CLI work, without a warning`, { timeout: NODE_INSTALL_TIMEOUT_MS }, async () => {
    const node = await nodeBinary(lowestNode());
    const version = await spawnCapture(node, ['--version'], home.env);
    assert.equal(version.stdout.trim(), `v${lowestNode()}`);
    const cjs = await mirror(node, 'mirror.cjs', 'lowest-cjs/app');
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.equal(cjs.stdout, `${image.digest} ${image.digest} function\n`);
    assert.equal(cjs.stderr, '', 'no warning');
    const esm = await mirror(node, 'mirror.mjs', 'lowest-esm/app');
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(esm.stdout, `${image.digest} ${image.digest}\n`);
    // and the CLI (its code caches, made by another Node, are left aside)
    const cli = await spawnCapture(node, [join(project, 'node_modules', pkg.name, 'bin', 'regctl.cjs'), 'digest', `${a.host}/pkg/app:1`], home.env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout, `${image.digest}\n`);
  });

  test('tsc --strict accepts ESM and CJS consumers under node16, nodenext and bundler resolution, and refuses a wrong option type', async () => {
    // The package's declaration files themselves are checked once (--skipLibCheck false, under nodenext: 10 s of CPU
    // with @types/node); a declaration another resolution could not follow still fails the consumers' imports.
    const cases = {
      nodenext: { flags: '--module nodenext --moduleResolution nodenext --skipLibCheck false', cjs: [['require.cts', CJS_REQUIRE], ['import.cts', CJS_IMPORT]] },
      node16: { flags: '--module node16 --moduleResolution node16 --skipLibCheck true', cjs: [['import.cts', CJS_IMPORT]] },
      bundler: { flags: '--module preserve --moduleResolution bundler --skipLibCheck true', cjs: [['require.cts', CJS_REQUIRE], ['import.cts', CJS_IMPORT]] },
    } as const;
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const common = `--strict --noEmit --target es2022 --types node --typeRoots ${join(REPO, 'node_modules/@types')}`;
    await Promise.all(Object.entries(cases).map(async ([mode, { flags, cjs }]) => {
      // One compiler run per mode: the consumers must compile, wrong.mts (a number option given a string) must not.
      const files = [['esm.mts', ESM], ...cjs] as const;
      const dir = join(project, mode);
      await mkdir(dir);
      for (const [file, source] of files) await writeFile(join(dir, file), source(pkg.name));
      await writeFile(join(dir, 'wrong.mts'), `import { copy } from '${pkg.name}';\nawait copy('a', 'b', { jobs: 'eight' });\n`);
      const r = await spawnCapture('sh', ['-c', `cd "$0" && exec node ${tsc} ${common} ${flags} ${files.map(([f]) => f).join(' ')} wrong.mts`, dir], { ...process.env });
      const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
      assert.ok(errors.length > 0 && errors.every((l) => l.startsWith('wrong.mts(')), `${mode}:\n${r.stdout}${r.stderr}`);
      assert.match(errors.join('\n'), /^wrong\.mts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/, `${mode}: the jobs option`);
    }));
  });
});
