// Templates through the CLI: output streamed as it is produced (Ctrl-C ends a long one with exit 130, with its
// output so far written), and registry-controlled text escaped on a terminal but byte-exact to a pipe.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { run } from '../src/cli.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedManifest, tarLayer } from './helpers/seed.js';

const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');
const TITLE = '\x1b]0;pwned\x07';

describe('templates through the CLI: streamed, interruptible, terminal-safe', () => {
  let reg: RegistryHandle;
  let home: Home;
  let image: string;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    const layer = gzipSync(tarLayer({ 'a.txt': 'hi\n' }));
    const cfg = Buffer.from(JSON.stringify({
      created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
      config: { Labels: { title: `x${TITLE}y`, csi: '\x1b[2J' } }, rootfs: { type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)] },
    }));
    await seedManifest({ url: reg.url }, 'hostile', 'v1', {
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: blobDescriptor(cfg, 'application/vnd.docker.container.image.v1+json'),
      layers: [blobDescriptor(layer, 'application/vnd.docker.image.rootfs.diff.tar.gzip')],
    } as { mediaType: string }, [cfg, layer]);
    image = `${reg.host}/hostile:v1`;
  });
  after(async () => {
    await reg?.stop();
    await home?.cleanup();
  });

  for (const verb of ['inspect', 'tags'] as const) {
    test(`SIGINT ends \`${verb} --format {{range 100000000}}x{{end}}\` with exit 130, its output so far already written`, async () => {
      const target = verb === 'inspect' ? image : `${reg.host}/hostile`;
      const child = spawn(process.execPath, [BIN, verb, '--format', '{{range 100000000}}x{{end}}', target], { env: home.env as NodeJS.ProcessEnv });
      let received = 0;
      let interrupted = false;
      child.stdout.on('data', (c: Buffer) => {
        received += c.length;
        if (!interrupted && received >= 1_000_000) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      assert.equal(code, 130);
      assert.ok(received >= 1_000_000 && received < 100_000_000, `${received} bytes`);
    });
  }

  test('a label holding ESC ] 0 ; title BEL reaches a terminal escaped and a pipe exact', async () => {
    const template = '{{.Labels.title}}|{{index .Labels "csi"}}|{{printf "%s" .Labels}}';
    const piped = await runCli(['inspect', '--format', template, image], home.env);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, `x${TITLE}y|\x1b[2J|map[csi:\x1b[2J title:x${TITLE}y]\n`);

    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const out: Buffer[] = [];
    tty.on('data', (c: Buffer) => out.push(c));
    const code = await run(['inspect', '--format', template, image], {
      stdout: tty, stderr: new PassThrough(), stdin: Readable.from([]), env: home.env, homedir: home.dir, runtime: process,
    });
    assert.equal(code, 0);
    const shown = Buffer.concat(out).toString('utf8');
    assert.equal(shown, 'x\\x1b]0;pwned\\x07y|\\x1b[2J|map[csi:\\x1b[2J title:x\\x1b]0;pwned\\x07y]\n');
    assert.doesNotMatch(shown, /[\x00-\x08\x0b-\x1f\x7f]/);
  });

  test('an execution error after output keeps its exit code (2) and what was written', async () => {
    const r = await runCli(['inspect', '--format', 'start {{range 3}}{{.}}{{end}} {{index .Layers 9}}', image], home.env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'start 012 ');
    assert.match(r.stderr, /error calling index: index out of range: 9/);
  });
});
