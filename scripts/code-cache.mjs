// Makes the V8 code caches bin/regctl.cjs loads the bundle with (dist/bundle/NAME.cjs.v8cache), after
// scripts/bundle.mjs, as part of `npm run build`. V8 compiles functions lazily, so a cache made right after compiling
// holds little: the caches are made by running regctl (REGCTL_CODE_CACHE_TRAIN=1) against a tiny registry on
// loopback serving one image, for the commands whose start-up users feel (digest, inspect, a warm copy, --help).
// Each run starts from the previous run's caches, so what they compiled adds up. Default V8 flags throughout: a
// cache made under other flags (regctl sets --liftoff-only before connecting, not in this mode) would be rejected.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = resolve(root, 'dist', 'bundle');
for (const f of readdirSync(bundle)) if (f.endsWith('.v8cache')) rmSync(join(bundle, f));

const blob = (text) => ({ body: Buffer.from(text), digest: `sha256:${createHash('sha256').update(text).digest('hex')}` });
const config = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
const manifest = blob(JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.body.length }, layers: [],
}));

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const send = (status, headers, body) => res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : body);
  if (path === '/v2/') return send(200, { 'content-type': 'application/json' }, '{}');
  if (/\/manifests\/[^/]+$/.test(path) && req.method !== 'PUT') {
    return send(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': manifest.digest, 'content-length': manifest.body.length }, manifest.body);
  }
  if (path.endsWith(`/blobs/${config.digest}`)) return send(200, { 'content-length': config.body.length, 'docker-content-digest': config.digest }, config.body);
  if (req.method === 'PUT') return send(201, { 'docker-content-digest': manifest.digest }, '');
  send(404, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }] }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const host = `127.0.0.1:${server.address().port}`;
const home = mkdtempSync(join(tmpdir(), 'regctl-code-cache-'));
const env = { PATH: process.env.PATH, HOME: home, REGCTL_NO_CACHE: '1', REGCTL_CODE_CACHE_TRAIN: '1', NO_COLOR: '1' };
const runs = [['--help'], ['digest', `${host}/a:1`], ['inspect', `${host}/a:1`], ['copy', '-q', `${host}/a:1`, `${host}/b:1`]];
try {
  for (const args of runs) {
    // async, so this process's server can answer; exit codes do not matter, only what got compiled
    await new Promise((done) => execFile(process.execPath, [join(root, 'bin', 'regctl.cjs'), ...args], { env }, () => done()));
  }
} finally {
  server.close();
  rmSync(home, { recursive: true, force: true });
}
const made = readdirSync(bundle).filter((f) => f.endsWith('.v8cache'));
if (!made.includes('regctl.cjs.v8cache')) throw new Error('scripts/code-cache.mjs: no code cache was written');
