// The library's one door: every exported operation checks its options before it does anything. Each is called with
// an unknown option, an option of the wrong type and a `null`: each rejects with UsageError naming the option, and
// nothing is written — the registry named is a closed port on loopback (an operation that went past the door would
// fail there with a NetworkError, not a UsageError) and the files and store are in an empty HOME that stays empty.
// The list of operations is complete: an exported function that is neither an operation here nor a pure helper
// (parsing, formatting) fails the first test, so a new operation cannot skip the door unnoticed.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import * as lib from '../src/index.js';
import { UsageError } from '../src/index.js';
import { makeHome, type Home } from './helpers/run-cli.js';

const REG = '127.0.0.1:9';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Helpers that are not operations: pure functions of their arguments (no I/O, no options to check). */
const PURE = new Set([
  'createContext', 'processEnvironment', 'destinationTag', 'familiarReference', 'findCause', 'formatPlatform', 'formatReference',
  'givenSelector', 'hostPlatform', 'impliedTag', 'isDigest', 'isDigestOnly', 'isSupportedDigest', 'isValidTag', 'joinSelector',
  'manifestReference', 'parseDigest', 'parsePlatform', 'parseReference', 'parseRepository', 'parseSelector', 'parseTemplate',
  'partialExitCode', 'platformMatches', 'record', 'sniffMediaType', 'withDigest', 'withTag',
]);

type Call = (dir: string, options: Record<string, unknown>) => Promise<unknown>;

/** Each operation: how to call it with options, and one of its own options with a value of the wrong type. */
const OPERATIONS: Record<string, { call: Call; wrong: [string, unknown] }> = {
  digest: { call: (_, o) => lib.digest(`${REG}/a:1`, o), wrong: ['verify', 'yes'] },
  digests: { call: (_, o) => lib.digests([`${REG}/a:1`], o), wrong: ['verify', 'yes'] },
  inspect: { call: (_, o) => lib.inspect(`${REG}/a:1`, o), wrong: ['platform', 42] },
  inspectMany: { call: (_, o) => lib.inspectMany([`${REG}/a:1`], o), wrong: ['platform', 42] },
  tags: { call: (_, o) => lib.tags(`${REG}/a`, o), wrong: ['omitDigestTags', 'no'] },
  tagsMany: { call: (_, o) => lib.tagsMany([`${REG}/a`], o), wrong: ['omitDigestTags', 'no'] },
  catalog: { call: (_, o) => lib.catalog(REG, o), wrong: ['credentials', 'me:secret'] },
  referrers: { call: (_, o) => lib.referrers(`${REG}/a:1`, o), wrong: ['credentials', 'me:secret'] },
  search: { call: (_, o) => lib.search('alpine', o), wrong: ['limit', 'ten'] },
  rateLimit: { call: (_, o) => lib.rateLimit(`${REG}/a:1`, o), wrong: ['credentials', 'me:secret'] },
  size: { call: (_, o) => lib.size([`${REG}/a:1`], o), wrong: ['jobs', 0] },
  copy: { call: (d, o) => lib.copy(`${REG}/a:1`, `oci:${join(d, 'layout')}:1`, o), wrong: ['referrers', 'yes'] },
  copyAllTags: { call: (_, o) => lib.copyAllTags(`${REG}/a`, `${REG}/b`, o), wrong: ['dryRun', 'yes'] },
  pull: { call: (_, o) => lib.pull(`${REG}/a:1`, o), wrong: ['platform', 42] },
  push: { call: (_, o) => lib.push(`${REG}/a:1`, o), wrong: ['jobs', -1] },
  save: { call: (d, o) => lib.save([`${REG}/a:1`], join(d, 'out.tar'), o), wrong: ['referrers', 'yes'] },
  load: { call: (_, o) => lib.load(Readable.from([Buffer.from('not a tar')]), o), wrong: ['name', 5] },
  sync: { call: (_, o) => lib.sync(`${REG}/a`, `${REG}/b`, o), wrong: ['semver', 5] },
  prune: { call: (_, o) => lib.prune(`${REG}/a`, o), wrong: ['keep', 'ten'] },
  tag: { call: (_, o) => lib.tag(`${REG}/a:1`, `${REG}/a:2`, o), wrong: ['signal', 'stop'] },
  tagRemote: { call: (_, o) => lib.tagRemote(`${REG}/a:1`, '2', o), wrong: ['credentials', 'me:secret'] },
  images: { call: (_, o) => lib.images(undefined, o), wrong: ['filter', 'dangling=true'] },
  rmi: { call: (_, o) => lib.rmi([`${REG}/a:1`], o), wrong: ['force', 'yes'] },
  mutate: { call: (_, o) => lib.mutate(`${REG}/a:1`, o), wrong: ['to', 5] },
  append: { call: (d, o) => lib.append(`${REG}/a:1`, { layers: [{ dir: d }], ...o }), wrong: ['uid', 'root'] },
  flatten: { call: (_, o) => lib.flatten(`${REG}/a:1`, o), wrong: ['reproducible', 'yes'] },
  rebase: { call: (_, o) => lib.rebase(`${REG}/a:1`, { oldBase: `${REG}/b:1`, newBase: `${REG}/c:1`, ...o }), wrong: ['oldBase', 5] },
  exportImage: { call: (d, o) => lib.exportImage(`${REG}/a:1`, join(d, 'fs.tar'), o), wrong: ['platform', 42] },
  del: { call: (_, o) => lib.del(`${REG}/a:1`, o), wrong: ['credentials', 'me:secret'] },
  attach: { call: (d, o) => lib.attach(`${REG}/a:1`, { artifactType: 'application/x', files: [join(d, 'f')], ...o }), wrong: ['now', 'today'] },
  artifactPush: { call: (d, o) => lib.artifactPush(`${REG}/a:1`, [join(d, 'f')], o), wrong: ['annotations', 'a=b'] },
  artifactPull: { call: (d, o) => lib.artifactPull(`${REG}/a:1`, { output: join(d, 'out'), ...o }), wrong: ['overwrite', 'yes'] },
  artifactList: { call: (_, o) => lib.artifactList(`${REG}/a:1`, o), wrong: ['artifactType', 5] },
  login: { call: (_, o) => lib.login(REG, { username: 'me', password: 'secret', ...o }), wrong: ['keychain', 'yes'] },
  logout: { call: (_, o) => lib.logout(REG, o), wrong: ['authfile', 5] },
  manifestGet: { call: (_, o) => lib.manifestGet(`${REG}/a:1`, o), wrong: ['platform', 42] },
  manifestHead: { call: (_, o) => lib.manifestHead(`${REG}/a:1`, o), wrong: ['credentials', 'me:secret'] },
  manifestHeads: { call: (_, o) => lib.manifestHeads([`${REG}/a:1`], o), wrong: ['credentials', 'me:secret'] },
  manifestPut: { call: (_, o) => lib.manifestPut(`${REG}/a:1`, Buffer.from('{}'), o), wrong: ['credentials', 'me:secret'] },
  manifestDelete: { call: (_, o) => lib.manifestDelete(`${REG}/a@${DIGEST}`, o), wrong: ['credentials', 'me:secret'] },
  untag: { call: (_, o) => lib.untag(`${REG}/a:1`, o), wrong: ['dryRun', 'yes'] },
  tagsForDigest: { call: (_, o) => lib.tagsForDigest(`${REG}/a`, DIGEST, o), wrong: ['omitDigestTags', 'no'] },
  blobGet: { call: (_, o) => lib.blobGet(`${REG}/a`, DIGEST, o), wrong: ['credentials', 'me:secret'] },
  blobHead: { call: (_, o) => lib.blobHead(`${REG}/a`, DIGEST, o), wrong: ['credentials', 'me:secret'] },
  blobPut: { call: (_, o) => lib.blobPut(`${REG}/a`, { stream: Readable.from([Buffer.from('x')]) }, o), wrong: ['credentials', 'me:secret'] },
  blobDelete: { call: (_, o) => lib.blobDelete(`${REG}/a`, DIGEST, o), wrong: ['credentials', 'me:secret'] },
  imageConfig: { call: (_, o) => lib.imageConfig(`${REG}/a:1`, o), wrong: ['platform', 42] },
  indexCreate: { call: (_, o) => lib.indexCreate(`${REG}/i:1`, [`${REG}/a:1`], o), wrong: ['annotations', 'a=b'] },
  indexAdd: { call: (_, o) => lib.indexAdd(`${REG}/i:1`, [`${REG}/a:1`], o), wrong: ['annotations', 'a=b'] },
  diffImages: { call: (_, o) => lib.diffImages(`${REG}/a:1`, `${REG}/b:1`, o), wrong: ['files', 'yes'] },
  validate: { call: (_, o) => lib.validate(`${REG}/a:1`, o), wrong: ['fast', 'yes'] },
  indexRemove: { call: (_, o) => lib.indexRemove(`${REG}/i:1`, { digests: [DIGEST], ...o }), wrong: ['tag', 5] },
  getFile: { call: (_, o) => lib.getFile(`${REG}/a:1`, '/etc/os-release', o), wrong: ['platform', 42] },
  history: { call: (_, o) => lib.history(`${REG}/a:1`, o), wrong: ['unpacked', 'yes'] },
  checkBase: { call: (_, o) => lib.checkBase(`${REG}/a:1`, o), wrong: ['base', 5] },
  generateKey: { call: (d, o) => lib.generateKey({ passphrase: 'x', prefix: join(d, 'cosign'), ...o }), wrong: ['passphrase', 5] },
  sign: { call: (d, o) => lib.sign(`${REG}/a:1`, { key: join(d, 'cosign.key'), passphrase: 'x', ...o }), wrong: ['recursive', 'yes'] },
  verify: { call: (d, o) => lib.verify(`${REG}/a:1`, { keys: [join(d, 'cosign.pub')], ...o }), wrong: ['identityMatch', 'tag'] },
  verifyAttestation: { call: (_, o) => lib.verifyAttestation(`${REG}/a:1`, { key: ['cosign.pub'], ...o }), wrong: ['key', 'cosign.pub'] },
};

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe('every exported operation checks its options at the door', () => {
  let home: Home;
  let before0: string[];
  let context: lib.Context;
  before(async () => {
    home = await makeHome();
    context = await lib.createContext({ env: home.env, homedir: home.dir, runtime: process });
    before0 = await listing(home.dir);
  });
  after(async () => {
    await context.close();
    await home.cleanup();
  });

  test('the list of operations is complete: every exported function is an operation here or a pure helper', () => {
    const functions = Object.entries(lib).filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name)).map(([name]) => name);
    const unlisted = functions.filter((name) => !(name in OPERATIONS) && !PURE.has(name));
    assert.deepEqual(unlisted, [], 'exported functions neither checked here nor pure helpers');
    assert.deepEqual(Object.keys(OPERATIONS).filter((name) => !functions.includes(name)), [], 'listed operations that are not exported');
  });

  for (const [name, { call, wrong: [option, value] }] of Object.entries(OPERATIONS)) {
    test(`${name}: an unknown option, ${option} of the wrong type and ${option}: null are UsageErrors naming the option; nothing written`, async () => {
      const env = { context };
      const refused = (want: string) => (err: unknown) => {
        assert.ok(err instanceof UsageError, `${name}: ${String(err)}`);
        assert.equal(err.option, want);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, new RegExp(`option ${want.replace('.', '\\.')}`));
        return true;
      };
      await assert.rejects(call(home.dir, { ...env, tagg: '1' }), refused('tagg'));
      await assert.rejects(call(home.dir, { ...env, [option]: value }), refused(option));
      await assert.rejects(call(home.dir, { ...env, [option]: null }), refused(option));
      assert.deepEqual(await listing(home.dir), before0, 'nothing written under HOME');
    });
  }

  test('a context setting given with context is refused, not dropped; without context it is applied', async () => {
    await assert.rejects(lib.digest(`${REG}/a:1`, { context, insecure: true }), (err) => err instanceof UsageError && err.option === 'insecure');
    const sink = new PassThrough();
    await assert.rejects(lib.exportImage(`${REG}/a:1`, sink, { context, homedir: home.dir }), (err) => err instanceof UsageError && err.option === 'homedir');
  });
});
