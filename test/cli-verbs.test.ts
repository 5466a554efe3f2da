// The registry verbs of issue 15 §1–§3 through the CLI: what a user types and sees (output, files, exit codes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { run } from '../src/cli.js';
import { sha256 } from './helpers/bytes.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, seedManyTags } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const skopeoDigest = async (ref: string) =>
  (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`])).stdout.trim();

describe('registry verbs on the command line', () => {
  let reg: RegistryHandle;
  let home: Home;
  let tmp: string;

  before(async () => {
    reg = await startRegistry();
    tmp = await mkdtemp(join(tmpdir(), 'regctl-cli-verbs-'));
    home = await makeHome(undefined, { REGCTL_STORE: join(tmp, 'store') });
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  const cli = (args: string[], stdin = '') => runCli(args, home.env, stdin);
  /** regctl with stdout and stderr on a "terminal". */
  async function onTerminal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    stdout.on('data', (c: Buffer) => out.push(c));
    stderr.on('data', (c: Buffer) => err.push(c));
    const code = await run(args, { stdout, stderr, stdin: Readable.from([]), env: home.env, homedir: home.dir, runtime: process });
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  }

  test('manifest get: the exact bytes in a pipe, pretty JSON on a terminal or with --format json; --platform; manifest head', async () => {
    const image = await seedImage({ url: reg.url }, 'v/m', '1');
    const index = await seedIndex({ url: reg.url }, 'v/idx', '1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const raw = await cli(['manifest', 'get', `${reg.host}/v/m:1`]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.deepEqual(raw.stdoutBytes, image.manifest);
    const pretty = `${JSON.stringify(JSON.parse(image.manifest.toString('utf8')), null, 2)}\n`;
    assert.equal((await onTerminal(['manifest', 'get', `${reg.host}/v/m:1`])).stdout, pretty);
    assert.equal((await cli(['manifest', 'get', '--format', 'json', `${reg.host}/v/m:1`])).stdout, pretty);
    assert.equal((await onTerminal(['manifest', 'get', '--raw', `${reg.host}/v/m:1`])).stdout, image.manifest.toString('utf8'));
    const arm = await cli(['manifest', 'get', '--platform', 'linux/arm64', `${reg.host}/v/idx:1`]);
    assert.equal(sha256(arm.stdoutBytes), index.manifests[1]!.digest);
    assert.equal((await cli(['manifest', 'get', '--format', 'yaml', `${reg.host}/v/m:1`])).code, 2);
    const head = await cli(['manifest', 'head', '--format', 'json', `${reg.host}/v/m:1`]);
    assert.deepEqual(JSON.parse(head.stdout), { digest: image.digest, mediaType: image.mediaType, size: image.size });
    assert.match((await cli(['manifest', 'head', `${reg.host}/v/m:1`])).stdout, new RegExp(`^Digest: +${image.digest}$`, 'm'));
    assert.equal((await cli(['manifest', 'head', '--format', '{{.Digest}} {{.Size}}', `${reg.host}/v/m:1`])).stdout, `${image.digest} ${image.size}\n`, 'a template, as every --format');
  });

  test('manifest put from stdin or -f prints the digest; refuses what names missing blobs (exit 3); manifest delete wants a digest', async () => {
    const image = await seedImage({ url: reg.url }, 'v/put', '1');
    const file = join(tmp, 'manifest.json');
    await writeFile(file, image.manifest);
    const viaStdin = await cli(['manifest', 'put', `${reg.host}/v/put:copy`], image.manifest.toString('utf8'));
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    assert.equal(viaStdin.stdout, `${image.digest}\n`);
    assert.equal((await cli(['manifest', 'put', '-f', file, `${reg.host}/v/put:again`])).stdout, `${image.digest}\n`);
    assert.equal(await skopeoDigest(`${reg.host}/v/put:again`), image.digest);
    const refused = await cli(['manifest', 'put', '-f', file, `${reg.host}/v/elsewhere:1`]);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, new RegExp(`blob ${image.configDigest}`));
    assert.match(refused.stderr, /--force/);
    assert.equal((await cli(['manifest', 'put', '-f', join(tmp, 'nope.json'), `${reg.host}/v/put:x`])).code, 2);
    const byTag = await cli(['manifest', 'delete', `${reg.host}/v/put:again`]);
    assert.equal(byTag.code, 2);
    assert.match(byTag.stderr, /tag rm/);
    const gone = await cli(['manifest', 'delete', `${reg.host}/v/put@${image.digest}`]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(gone.stdout, ['1', 'again', 'copy'].map((t) => `Untagged: ${reg.host}/v/put:${t}\n`).join('') + `Deleted: ${image.digest}\n`);
  });

  test('blob put from stdin and -f prints the digest; blob get to a file (atomically) or a pipe, never a terminal', async () => {
    const data = randomBytes(300_000);
    const file = join(tmp, 'blob.bin');
    await writeFile(file, data);
    const put = await cli(['blob', 'put', '-f', file, `${reg.host}/v/blob`]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, `${sha256(data)}\n`);
    const text = 'hello blob\n';
    assert.equal((await cli(['blob', 'put', `${reg.host}/v/blob`], text)).stdout, `${sha256(text)}\n`);
    const out = join(tmp, 'got', 'x');
    assert.equal((await cli(['blob', 'get', '-o', out, `${reg.host}/v/blob@${sha256(data)}`])).code, 2, 'the directory must exist');
    const outFile = join(tmp, 'got.bin');
    const got = await cli(['blob', 'get', '-o', outFile, `${reg.host}/v/blob`, sha256(data)]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(await readFile(outFile), data);
    assert.equal((await cli(['blob', 'get', `${reg.host}/v/blob@${sha256(text)}`])).stdout, text);
    const tty = await onTerminal(['blob', 'get', `${reg.host}/v/blob@${sha256(text)}`]);
    assert.equal(tty.code, 2);
    assert.match(tty.stderr, /terminal/);
    const head = await cli(['blob', 'head', '--format', 'json', `${reg.host}/v/blob@${sha256(data)}`]);
    assert.equal(JSON.parse(head.stdout).size, data.length);
    assert.equal((await cli(['blob', 'get', '-o', join(tmp, 'missing.bin'), `${reg.host}/v/blob@${sha256('missing')}`])).code, 3);
    assert.deepEqual((await readdir(tmp)).filter((n) => n.includes('.tmp-')), [], 'no temp file left');
    assert.equal((await cli(['blob', 'delete', `${reg.host}/v/blob@${sha256(text)}`])).stdout, `Deleted: ${sha256(text)}\n`);
    assert.equal((await cli(['blob', 'head', `${reg.host}/v/blob`, sha256(text)])).code, 3);
    assert.equal((await cli(['blob', 'head', '--format', '{{.Size}}', `${reg.host}/v/blob@${sha256(data)}`])).stdout, `${data.length}\n`);
    assert.equal((await cli(['blob', 'get', `${reg.host}/v/blob`])).code, 2, 'no digest');
  });

  test('config prints the image config, from a registry or the local store', async () => {
    const image = await seedImage({ url: reg.url }, 'v/config', '1');
    const r = await cli(['config', `${reg.host}/v/config:1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdoutBytes, image.config);
    assert.equal((await cli(['pull', '-q', `${reg.host}/v/config:1`])).code, 0);
    assert.deepEqual((await cli(['config', `local:${reg.host}/v/config:1`])).stdoutBytes, image.config);
  });

  test('index create / add / remove print the new digest; skopeo sees each', async () => {
    await seedImage({ url: reg.url }, 'v/amd', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    await seedImage({ url: reg.url }, 'v/arm', '1', { platform: { os: 'linux', architecture: 'arm64' } });
    const made = await cli(['index', 'create', '-q', '--annotation', 'a=b', `${reg.host}/v/app:1`, `${reg.host}/v/amd:1`, `${reg.host}/v/arm:1`]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /2 entries/);
    assert.equal(made.stdout, `${await skopeoDigest(`${reg.host}/v/app:1`)}\n`);
    const removed = await cli(['index', 'remove', '--platform', 'linux/arm64', '-t', 'amd-only', `${reg.host}/v/app:1`]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `${await skopeoDigest(`${reg.host}/v/app:amd-only`)}\n`);
    const added = await cli(['index', 'add', '-q', `${reg.host}/v/app:amd-only`, `${reg.host}/v/arm:1`]);
    assert.equal(added.stdout, made.stdout, 'the same entries make the same index');
    assert.equal((await cli(['index', 'create', `${reg.host}/v/app:2`, `${reg.host}/v/amd:1`, '--annotation', 'nokey'])).code, 2);
  });

  test('--format on every verb that prints: json and templates; index create --manifest-format (--format docker still works, with a warning); errors name the flags', async () => {
    const image = await seedImage({ url: reg.url }, 'v/fmt', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    const put = await cli(['manifest', 'put', '--format', 'json', `${reg.host}/v/fmt:2`], image.manifest.toString('utf8'));
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(JSON.parse(put.stdout), { digest: image.digest, mediaType: image.mediaType, size: image.size });
    const made = await cli(['index', 'create', '-q', '--manifest-format', 'docker', '--format', '{{.MediaType}} {{len .Manifests}}', `${reg.host}/v/fmt:idx`, `${reg.host}/v/fmt:1`]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, 'application/vnd.docker.distribution.manifest.list.v2+json 1\n');
    const legacy = await cli(['index', 'create', '-q', '--format', 'docker', `${reg.host}/v/fmt:old`, `${reg.host}/v/fmt:1`]);
    assert.equal(legacy.code, 0, legacy.stderr);
    assert.match(legacy.stderr, /--format docker is deprecated: use --manifest-format docker/);
    assert.equal(legacy.stdout, `${await skopeoDigest(`${reg.host}/v/fmt:idx`)}\n`, 'the same Docker manifest list');
    const removed = await cli(['index', 'remove', `${reg.host}/v/fmt:idx`]);
    assert.equal(removed.code, 2);
    assert.match(removed.stderr, /nothing to remove: give --platform or --digest/);
    const badPlatform = await cli(['index', 'create', '-q', '--platform', 'linux/amd64,linux', `${reg.host}/v/fmt:bad`, `${reg.host}/v/fmt:1`]);
    assert.equal(badPlatform.code, 2);
    assert.match(badPlatform.stderr, /^regctl: --platform: /m);
    const blob = await cli(['blob', 'put', '--format', '{{.Size}}', `${reg.host}/v/fmt`], 'four');
    assert.equal(blob.stdout, '4\n');
    const blobGone = await cli(['blob', 'delete', '--format', 'json', `${reg.host}/v/fmt@${sha256('four')}`]);
    assert.deepEqual(JSON.parse(blobGone.stdout), { repository: `${reg.host}/v/fmt`, digest: sha256('four') });
    const untagged = await cli(['delete', '--format', '{{.Kind}} {{.Name}} {{.Tags}}', `${reg.host}/v/fmt:2`]);
    assert.equal(untagged.stdout, `tag ${reg.host}/v/fmt:2 [2]\n`);
    const deleted = await cli(['manifest', 'delete', '--format', 'json', `${reg.host}/v/fmt@${image.digest}`]);
    assert.deepEqual(JSON.parse(deleted.stdout), { digest: image.digest, tags: ['1'] });
  });

  test('tag ls and tags: one command, filters and --digest on both; tag rm removes several tags (dry run first), goes on past a missing one; tags --digest; tag SRC DST still tags locally', async () => {
    const { digest, tags } = await seedManyTags({ url: reg.url }, 'v/tags', 3);
    const other = await seedImage({ url: reg.url }, 'v/tags', 'other');
    const referrersTag = `sha256-${'a'.repeat(64)}`;
    assert.equal((await cli(['copy', '-q', `${reg.host}/v/tags:other`, `${reg.host}/v/tags:${referrersTag}`])).code, 0);
    const ls = await cli(['tag', 'ls', '--omit-digest-tags', '--exclude', '^tag-000[12]$', '--format', 'json', `${reg.host}/v/tags`]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout).sort(), ['other', 'tag-0003']);
    assert.equal((await cli(['tag', 'ls', '--exclude', '(', `${reg.host}/v/tags`])).code, 2);
    const same = await cli(['tags', '--omit-digest-tags', '--exclude', '^tag-000[12]$', '--format', 'json', `${reg.host}/v/tags`]);
    assert.equal(same.stdout, ls.stdout, 'tags takes the filters of tag ls: one command under two names');
    const filtered = await cli(['tag', 'ls', '--digest', digest, '--exclude', '^tag-0001$', `${reg.host}/v/tags`]);
    assert.equal(filtered.stdout, 'tag-0002\ntag-0003\n', 'tag ls --digest, the filters applied before the HEADs');
    const pointing = await cli(['tags', '--digest', digest, `${reg.host}/v/tags`]);
    assert.equal(pointing.stdout, tags.map((t) => `${t}\n`).join(''));
    assert.equal(pointing.stderr, '', 'no progress into a pipe');
    const shown = await onTerminal(['tags', '--digest', digest, `${reg.host}/v/tags`]);
    assert.equal(shown.stdout, pointing.stdout);
    assert.match(shown.stderr, /checked 5\/5 tags/, 'progress on a terminal');
    const dry = await cli(['tag', 'rm', '--dry-run', `${reg.host}/v/tags:tag-0001`]);
    assert.equal(dry.stdout, `Would untag: ${reg.host}/v/tags:tag-0001 (${digest})\n`);
    const rmd = await cli(['tag', 'rm', `${reg.host}/v/tags:tag-0001`, `${reg.host}/v/tags:nope`, `${reg.host}/v/tags:tag-0002`]);
    assert.equal(rmd.code, 3);
    assert.equal(rmd.stdout, `Untagged: ${reg.host}/v/tags:tag-0001\nUntagged: ${reg.host}/v/tags:tag-0002\n`);
    assert.match(rmd.stderr, /nope/);
    assert.equal((await cli(['tags', '--digest', digest, `${reg.host}/v/tags`])).stdout, 'tag-0003\n');
    assert.equal(await skopeoDigest(`${reg.host}/v/tags:other`), other.digest);
    assert.equal((await cli(['pull', '-q', `${reg.host}/v/tags:other`])).code, 0);
    assert.equal((await cli(['tag', `${reg.host}/v/tags:other`, 'mine:1'])).code, 0);
    assert.equal((await cli(['digest', 'local:mine:1'])).stdout, `${other.digest}\n`);
  });
});
