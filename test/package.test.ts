// The package as npm publishes it: `npm pack`, then installed globally (a `regctl` on PATH) and as a dependency
// of an empty project (an .mjs script that copies between two real registries; a TypeScript consumer under
// `tsc --strict`), offline from npm's cache; publint and @arethetypeswrong/cli on the tarball.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const REPO = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the packed package', () => {
  let dir: string;
  let tarball: Promise<string> | undefined;
  let a: RegistryHandle;
  let b: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regctl-package-'));
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    image = await seedImage({ url: a.url }, 'pkg/app', '1');
    home = await makeHome();
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), home.cleanup()]);
    await rm(dir, { recursive: true, force: true });
  });

  // The tarball of the dist/ that scripts/test.sh built (no lifecycle scripts run), made once for the tests here.
  const pack = (): Promise<string> => (tarball ??= (async () => {
    const out = join(dir, 'pack');
    await mkdir(out);
    const r = await spawnCapture('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', out], { ...process.env });
    assert.equal(r.code, 0, r.stderr);
    return join(out, r.stdout.trim().split('\n').at(-1)!);
  })());

  // Offline: every dependency comes from npm's cache (filled by `npm ci`), the package from the tarball.
  const npmInstall = async (args: string[], cwd: string) => {
    const r = await spawnCapture('sh', ['-c', `cd "$0" && exec npm install --offline --no-audit --no-fund --loglevel=error "$@"`, cwd, ...args], { ...process.env });
    assert.equal(r.code, 0, `npm install ${args.join(' ')}: ${r.stderr}`);
  };

  test('publint and @arethetypeswrong/cli find no problem in the tarball', async () => {
    const r = await spawnCapture('bash', [join(REPO, 'scripts/check-package.sh'), await pack()], { ...process.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All good!/);
    assert.match(r.stdout, /"@regctl-js\/regctl\/cli"/);
  });

  test('npm install -g of the tarball puts a working regctl on PATH', async () => {
    const prefix = join(dir, 'global');
    await npmInstall(['-g', '--prefix', prefix, await pack()], dir);
    const env = { ...home.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = await spawnCapture('regctl', ['--version'], env);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    const digest = await spawnCapture('regctl', ['digest', `${a.host}/pkg/app:1`], env);
    assert.equal(digest.code, 0, digest.stderr);
    assert.equal(digest.stdout, `${image.digest}\n`);
    const bad = await spawnCapture('regctl', ['digest', 'Not/A/Ref'], env);
    assert.equal(bad.code, 2, 'exit codes survive the install');
  });

  test('as a dependency: an .mjs script copies between two registries and reads the digest; tsc --strict accepts a TS consumer', async () => {
    const project = join(dir, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await npmInstall([await pack()], project);

    await writeFile(join(project, 'mirror.mjs'), `
      import { copy, digest } from '${pkg.name}';
      const [src, dst] = process.argv.slice(2);
      const { digest: copied } = await copy(src, dst);
      console.log(copied, await digest(dst));
    `);
    const run = await spawnCapture('sh', ['-c', 'cd "$0" && exec node mirror.mjs "$1" "$2"', project, `${a.host}/pkg/app:1`, `${b.host}/mirrored/app:1`], home.env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${image.digest} ${image.digest}\n`);

    await writeFile(join(project, 'consumer.ts'), `
      import { copy, createContext, digest, NotFoundError, type CopyProgress, type CopyResult, type SyncReport } from '${pkg.name}';
      import { run } from '${pkg.name}/cli';
      const events: CopyProgress[] = [];
      const result: CopyResult = await copy('a/b:1', 'c/d:1', { onProgress: (e) => events.push(e), signal: AbortSignal.timeout(1000) });
      const context = await createContext({ insecure: true });
      const d: string = await digest('a/b:1', { context, credentials: { creds: { username: 'u', password: 'p' } } });
      await context.close();
      const code: number = await run(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, homedir: '/', runtime: process });
      export const used = [result.digest, d, code, events.length, NotFoundError.name] as const;
      export type Report = SyncReport['images'][number]['status'];
    `);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false,
        types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')],
      },
      files: ['consumer.ts'],
    }));
    const tsc = await spawnCapture('sh', ['-c', `cd "$0" && exec node ${join(REPO, 'node_modules/typescript/bin/tsc')} -p tsconfig.json`, project], { ...process.env });
    assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);

    await writeFile(join(project, 'wrong.ts'), `import { copy } from '${pkg.name}';\nawait copy('a', 'b', { jobs: 'eight' });\n`);
    const tscArgs = `--strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 --types node --typeRoots ${join(REPO, 'node_modules/@types')}`;
    const wrong = await spawnCapture('sh', ['-c', `cd "$0" && exec node ${join(REPO, 'node_modules/typescript/bin/tsc')} ${tscArgs} wrong.ts`, project], { ...process.env });
    assert.notEqual(wrong.code, 0, 'a wrong option type is a compile error: the types are real');
    assert.match(wrong.stdout, /jobs/);
  });
});
