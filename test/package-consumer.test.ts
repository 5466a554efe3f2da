// The packed package as a dependency of an empty project (installed offline from npm's cache): a plain .mjs script
// copies an image between two real registries and reads its digest; `tsc --strict` accepts a TypeScript consumer
// and refuses a wrong option type.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { npmInstall, packInto, pkg, REPO } from './helpers/package.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

let dir: string;
let a: RegistryHandle;
let b: RegistryHandle;
let image: SeededImage;
let home: Home;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regctl-consumer-'));
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  image = await seedImage({ url: a.url }, 'pkg/app', '1');
  home = await makeHome();
});
after(async () => {
  await Promise.all([a.stop(), b.stop(), home.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

const CONSUMER = (name: string) => `
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

test('installed as a dependency: an .mjs script copies between two registries; tsc --strict checks a TS consumer', async () => {
  const project = join(dir, 'consumer');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await npmInstall([await packInto(dir)], project);

  await writeFile(join(project, 'mirror.mjs'), `
    import { copy, digest } from '${pkg.name}';
    const [src, dst] = process.argv.slice(2);
    const { digest: copied } = await copy(src, dst);
    console.log(copied, await digest(dst));
  `);
  const run = await spawnCapture('sh', ['-c', 'cd "$0" && exec node mirror.mjs "$1" "$2"', project, `${a.host}/pkg/app:1`, `${b.host}/mirrored/app:1`], home.env);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `${image.digest} ${image.digest}\n`);

  // One compiler run for both files: consumer.ts must compile, wrong.ts (a number option given a string) must not.
  await writeFile(join(project, 'consumer.ts'), CONSUMER(pkg.name));
  await writeFile(join(project, 'wrong.ts'), `import { copy } from '${pkg.name}';\nawait copy('a', 'b', { jobs: 'eight' });\n`);
  const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
  const flags = `--strict --noEmit --skipLibCheck false --module nodenext --moduleResolution nodenext --target es2022 --types node --typeRoots ${join(REPO, 'node_modules/@types')}`;
  const r = await spawnCapture('sh', ['-c', `cd "$0" && exec node ${tsc} ${flags} consumer.ts wrong.ts`, project], { ...process.env });
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  assert.ok(errors.length > 0 && errors.every((l) => l.startsWith('wrong.ts(')), r.stdout + r.stderr);
  assert.match(errors.join('\n'), /^wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/, 'the jobs option');
});
