// Trust policies (containers-policy.json(5)) on transfers, against the real registry: which scope applies (judged
// by skopeo 1.9.3 for reject/insecureAcceptAnything policies), what each requirement does, signatures made from
// cosign's SIGNATURE_SPEC.md by test/helpers/policy-sign.ts (node:crypto, not regctl's code), and that a refused
// image leaves nothing at the destination (the registry's storage and API).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash, createPublicKey } from 'node:crypto';
import { readdir, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { copy, NotTrustedError, sync, UsageError } from '../src/index.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { runInstalled } from './helpers/installed.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { pushSignatures, testKey, type TestKey } from './helpers/policy-sign.js';
import { seedImage, seedIndex, seedManifest, tarLayer } from './helpers/seed.js';
import { bundleManifest, COSIGN_SIGN_PREDICATE, keyBundle } from '../src/trust/bundle-oci.js';
import { parseReference } from '../src/ref/parse.js';
import type { Policy, SignedIdentity } from '../src/trust/policy.js';
import { identityProblem, parse as parseIdentity, remap } from '../src/trust/policy-identity.js';
import { dockerSubject, identityString, requirementsFor } from '../src/trust/policy-scope.js';

const execFileAsync = promisify(execFile);

/** Every blob file in a registry's storage (distribution's filesystem driver: blobs/sha256/xx/<hex>/data). */
async function storedBlobs(reg: RegistryHandle): Promise<string[]> {
  const root = join(reg.dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  const out: string[] = [];
  for (const prefix of await readdir(root).catch(() => [] as string[])) {
    for (const hex of await readdir(join(root, prefix))) out.push(`sha256:${hex}`);
  }
  return out.sort();
}

/** A repository's tags through the registry API (undefined: the repository does not exist). */
async function tagsOf(reg: RegistryHandle, repo: string): Promise<string[] | undefined> {
  const res = await request(`${reg.url}/v2/${repo}/tags/list`);
  const body = await res.body.text();
  if (res.statusCode === 404) return undefined;
  assert.equal(res.statusCode, 200, body);
  return (JSON.parse(body) as { tags: string[] | null }).tags ?? [];
}

describe('trust policies on transfers, against the real registry', () => {
  let src: RegistryHandle;
  let dst: RegistryHandle;
  let home: Home;
  let dir: string;
  let key: TestKey;
  let other: TestKey;
  let keyPath: string;
  let otherPath: string;
  /** name → digest of the images seeded in `src`. */
  const digests = new Map<string, string>();
  /** name → manifest bytes and media type. */
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();

  const policyFile = async (policy: object, name = `p-${Math.random().toString(36).slice(2)}.json`): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(policy));
    return path;
  };
  const cli = (...args: string[]) => runCli(args, home.env);
  const accept = [{ type: 'insecureAcceptAnything' }];
  const reject = [{ type: 'reject' }];
  const signedBy = (extra: object = {}) => [{ type: 'sigstoreSigned', keyPath, ...extra }];

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    dir = await mkdtemp(join(tmpdir(), 'regctl-policy-'));
    key = testKey();
    other = testKey();
    keyPath = join(dir, 'cosign.pub');
    otherPath = join(dir, 'other.pub');
    await writeFile(keyPath, key.publicPem);
    await writeFile(otherPath, other.publicPem);
    const seed = async (repo: string, tag: string) => {
      const image = await seedImage({ url: src.url }, repo, tag, { layers: [tarLayer({ 'who.txt': `${repo}:${tag}\n` })] });
      digests.set(`${repo}:${tag}`, image.digest);
      manifests.set(`${repo}:${tag}`, { bytes: image.manifest, mediaType: image.mediaType });
      return image.digest;
    };
    // Signed with `key`, claiming the repository only (as cosign does).
    for (const [repo, tag] of [['team/app', 'v1'], ['team/app', 'v2'], ['team/sub/tool', 'v1'], ['solo', 'v1']] as const) {
      const digest = await seed(repo, tag);
      await pushSignatures({ url: src.url }, repo, digest, [{ key: key.privateKey, claimed: `${src.host}/${repo}` }]);
    }
    // Unsigned; signed by another key; signed claiming an exact tag; claiming the upstream name of a mirror.
    await seed('team/app', 'unsigned');
    const byOther = await seed('team/app', 'other');
    await pushSignatures({ url: src.url }, 'team/app', byOther, [{ key: other.privateKey, claimed: `${src.host}/team/app` }]);
    const exact = await seed('team/app', 'exact');
    await pushSignatures({ url: src.url }, 'team/app', exact, [{ key: key.privateKey, claimed: `${src.host}/team/app:exact` }]);
    const mirrored = await seed('mirror/upstream/app', 'v1');
    await pushSignatures({ url: src.url }, 'mirror/upstream/app', mirrored, [{ key: key.privateKey, claimed: 'upstream.example.com/app:v1' }]);
    // A signature over another digest.
    const wrong = await seed('team/app', 'wrong-digest');
    await pushSignatures({ url: src.url }, 'team/app', wrong, [{ key: key.privateKey, claimed: `${src.host}/team/app`, signs: digests.get('team/app:v1')! }]);
  });
  after(async () => {
    await Promise.all([src.stop(), dst.stop()]);
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('reject: exit 7 naming the scope and the requirement; not a blob, not a tag, not a repository at the destination', async () => {
    const policy = await policyFile({ default: accept, transports: { docker: { [`${src.host}/team`]: reject } } });
    const before = await storedBlobs(dst);
    const r = await cli('copy', '--policy', policy, `${src.host}/team/app:v1`, `${dst.host}/copied/app:v1`);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, new RegExp(`transports\\.docker\\["${src.host}/team"\\] requires "reject"`));
    assert.match(r.stderr, new RegExp(policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.deepEqual(await storedBlobs(dst), before);
    assert.equal(await tagsOf(dst, 'copied/app'), undefined);
    // Into an OCI layout: not even its directory is made.
    const layout = join(dir, 'refused-layout');
    const r2 = await cli('copy', '--policy', policy, `${src.host}/team/app:v1`, `oci:${layout}:v1`);
    assert.equal(r2.code, 7, r2.stderr);
    assert.equal((await readdir(dir)).includes('refused-layout'), false);
  });

  test('insecureAcceptAnything copies; the same copy without a policy is unchanged', async () => {
    const policy = await policyFile({ default: reject, transports: { docker: { [`${src.host}/team/app`]: accept } } });
    const r = await cli('copy', '--policy', policy, `${src.host}/team/app:unsigned`, `${dst.host}/accepted/app:unsigned`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), digests.get('team/app:unsigned'));
    assert.deepEqual(await tagsOf(dst, 'accepted/app'), ['unsigned']);
    const plain = await cli('copy', `${src.host}/solo:v1`, `${dst.host}/plain/solo:v1`);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(await tagsOf(dst, 'plain/solo'), ['v1'], 'no policy: no signature copied along');
  });

  test('sigstoreSigned at each scope level (host, namespace, repository, repository:tag): signed accepted, signatures copied along; unsigned refused', async () => {
    const levels = [src.host, `${src.host}/team`, `${src.host}/team/app`, `${src.host}/team/app:v1`];
    for (const [i, scope] of levels.entries()) {
      const policy = await policyFile({ default: reject, transports: { docker: { [scope]: signedBy({ signedIdentity: { type: 'matchRepository' } }) } } });
      const to = `${dst.host}/levels${i}/app`;
      const ok = await cli('copy', '--policy', policy, `${src.host}/team/app:v1`, `${to}:v1`);
      assert.equal(ok.code, 0, `${scope}: ${ok.stderr}`);
      const sigTag = `${digests.get('team/app:v1')!.replace(':', '-')}.sig`;
      assert.deepEqual((await tagsOf(dst, `levels${i}/app`))?.sort(), [sigTag, 'v1'].sort(), `${scope}: the signature travels with the image`);
      // The unsigned image is refused under the same scope (the repository:tag scope does not cover it: default reject).
      const refused = await cli('copy', '--policy', policy, `${src.host}/team/app:unsigned`, `${to}:unsigned`);
      assert.equal(refused.code, 7, `${scope}: ${refused.stderr}`);
      const expected = scope.endsWith(':v1') ? 'default requires "reject"' : `transports.docker["${scope}"] requires "sigstoreSigned"`;
      assert.ok(refused.stderr.includes(expected), `${scope}: ${refused.stderr}`);
      assert.deepEqual((await tagsOf(dst, `levels${i}/app`))?.sort(), [sigTag, 'v1'].sort());
    }
  });

  test('what is judged is what is copied: a tag moved to an unsigned image after the check does not slip it through', async () => {
    const unsigned = manifests.get('team/app:unsigned')!;
    let seen = 0;
    // The first request for the tag is answered by the registry (the signed v1); every later one with the unsigned image.
    const proxy = await startProxy(src.url, {
      fault: (_method, url) => (url.pathname === '/v2/team/app/manifests/v1' && seen++ > 0
        ? { status: 200, headers: { 'content-type': unsigned.mediaType, 'docker-content-digest': digests.get('team/app:unsigned')!, 'content-length': String(unsigned.bytes.length) }, body: unsigned.bytes.toString() }
        : undefined),
    });
    try {
      // Signed as the registry's own name, read here through the proxy's.
      const policy = await policyFile({ default: signedBy({ signedIdentity: { type: 'exactRepository', dockerRepository: `${src.host}/team/app` } }) });
      const r = await cli('copy', '--policy', policy, `${proxy.host}/team/app:v1`, `${dst.host}/pinned/app:v1`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), digests.get('team/app:v1'));
      const head = await request(`${dst.url}/v2/pinned/app/manifests/v1`, { method: 'HEAD', headers: { accept: unsigned.mediaType } });
      assert.equal(head.headers['docker-content-digest'], digests.get('team/app:v1'));
      assert.equal(seen, 1, 'the tag was resolved once');
    } finally {
      await proxy.stop();
    }
  });

  test('regctl generate-key and sign, then copy --policy: accepted by its key, under matchRepository and --identity exactReference', async () => {
    const env = { ...home.env, COSIGN_PASSWORD: 'policy-test' };
    const prefix = join(dir, 'regctl-made');
    assert.equal((await runCli(['generate-key', '--output-key-prefix', prefix], env)).code, 0);
    const image = await seedImage({ url: src.url }, 'regctl-signed/app', 'v1', { layers: [tarLayer({ 's.txt': 'signed by regctl\n' })] });
    const signed = await runCli(['sign', '--key', `${prefix}.key`, `${src.host}/regctl-signed/app:v1`], env);
    assert.equal(signed.code, 0, signed.stderr);
    const judge = async (identity: object | undefined) => {
      const policy = await policyFile({ default: [{ type: 'sigstoreSigned', keyPath: `${prefix}.pub`, ...(identity ? { signedIdentity: identity } : {}) }] });
      return (await cli('copy', '--policy', policy, `${src.host}/regctl-signed/app:v1`, `${dst.host}/regctl-signed/app:v1`)).code;
    };
    assert.equal(await judge(undefined), 7, 'regctl signs the repository, as cosign: the default wants the tag');
    assert.equal(await judge({ type: 'matchRepository' }), 0);
    // Signed again, for the tag: now the default accepts it too.
    assert.equal((await runCli(['sign', '--key', `${prefix}.key`, '--identity', `${src.host}/regctl-signed/app:v1`, `${src.host}/regctl-signed/app:v1`], env)).code, 0);
    assert.equal(await judge(undefined), 0);
    assert.ok((await tagsOf(dst, 'regctl-signed/app'))!.includes(`${image.digest.replace(':', '-')}.sig`));
  });

  test('sigstoreSigned refuses another key, a signature over another digest, and no signature — each saying why', async () => {
    const policy = await policyFile({ default: signedBy({ signedIdentity: { type: 'matchRepository' } }) });
    const cases: Array<[string, RegExp]> = [
      ['other', /wrong key/],
      ['wrong-digest', /digest mismatch/],
      ['unsigned', /no signature/],
    ];
    for (const [tag, why] of cases) {
      const r = await cli('copy', '--policy', policy, `${src.host}/team/app:${tag}`, `${dst.host}/refused/app:${tag}`);
      assert.equal(r.code, 7, `${tag}: ${r.stderr}`);
      assert.match(r.stderr, why, tag);
    }
    assert.equal(await tagsOf(dst, 'refused/app'), undefined);
    // keyPaths with the other key among them, and keyData, accept the image the other key signed.
    const both = await policyFile({ default: [{ type: 'sigstoreSigned', keyPaths: [keyPath, otherPath], signedIdentity: { type: 'matchRepository' } }] });
    assert.equal((await cli('copy', '--dry-run', '--policy', both, `${src.host}/team/app:other`, `${dst.host}/x/app:other`)).code, 0);
    const data = await policyFile({ default: [{ type: 'sigstoreSigned', keyData: Buffer.from(other.publicPem).toString('base64'), signedIdentity: { type: 'matchRepository' } }] });
    assert.equal((await cli('copy', '--dry-run', '--policy', data, `${src.host}/team/app:other`, `${dst.host}/x/app:other`)).code, 0);
  });

  test('signedIdentity: matchRepoDigestOrExact (default), matchExact, matchRepository, exactReference, exactRepository, remapIdentity', async () => {
    const judge = async (identity: object | undefined, image: string): Promise<number> => {
      const policy = await policyFile({ default: signedBy(identity ? { signedIdentity: identity } : {}) });
      const r = await cli('copy', '--dry-run', '--policy', policy, image, `${dst.host}/identity/x:y`);
      assert.ok(r.code === 0 || r.code === 7, r.stderr);
      if (r.code === 7) assert.match(r.stderr, /identity/);
      return r.code;
    };
    const app = `${src.host}/team/app`;
    const v1 = digests.get('team/app:v1')!;
    const exact = digests.get('team/app:exact')!;
    // The signature of :v1 claims the repository only (cosign's way); that of :exact claims `app:exact`.
    assert.equal(await judge(undefined, `${app}:v1`), 7, 'default: a claim without a tag does not match a tag');
    assert.equal(await judge(undefined, `${app}:exact`), 0, 'default: the exact tag');
    assert.equal(await judge(undefined, `${app}@${exact}`), 0, 'default: by digest, any tag of the repository');
    assert.equal(await judge(undefined, `${app}@${v1}`), 7, 'default: by digest, still not a claim without a tag');
    assert.equal(await judge({ type: 'matchExact' }, `${app}:exact`), 0);
    assert.equal(await judge({ type: 'matchExact' }, `${app}@${exact}`), 7, 'matchExact: by digest is not the tag signed');
    assert.equal(await judge({ type: 'matchRepository' }, `${app}:v1`), 0);
    assert.equal(await judge({ type: 'matchRepository' }, `${app}@${v1}`), 0);
    assert.equal(await judge({ type: 'exactReference', dockerReference: `${app}:exact` }, `${app}:exact`), 0);
    assert.equal(await judge({ type: 'exactReference', dockerReference: `${app}:other` }, `${app}:exact`), 7);
    assert.equal(await judge({ type: 'exactRepository', dockerRepository: app }, `${app}:v1`), 0);
    assert.equal(await judge({ type: 'exactRepository', dockerRepository: `${src.host}/team/other` }, `${app}:v1`), 7);
    // A mirror: the image lives at HOST/mirror/upstream/app, its signature names upstream.example.com/app:v1.
    const mirror = `${src.host}/mirror/upstream/app:v1`;
    assert.equal(await judge(undefined, mirror), 7);
    assert.equal(await judge({ type: 'exactReference', dockerReference: 'upstream.example.com/app:v1' }, mirror), 0);
    assert.equal(await judge({ type: 'remapIdentity', prefix: `${src.host}/mirror/upstream`, signedPrefix: 'upstream.example.com' }, mirror), 0);
    assert.equal(await judge({ type: 'remapIdentity', prefix: `${src.host}/mirror/upstream`, signedPrefix: 'elsewhere.example.com' }, mirror), 7);
  });

  test('a Sigstore bundle alone (it names no docker reference) does not satisfy signedIdentity: refused, saying so', async () => {
    const image = await seedImage({ url: src.url }, 'bundled/app', 'v1', { layers: [tarLayer({ 'b.txt': 'bundle\n' })] });
    // cosign v3's bundle referrer (bundle-oci.ts builds it), pushed with its referrers tag (distribution 2.8 has no API).
    const bundle = keyBundle(key.privateKey, createPublicKey(key.publicPem), image.digest);
    const subject = { mediaType: image.mediaType, digest: image.digest, size: image.size };
    const { manifest, config, layer } = bundleManifest(subject, bundle, COSIGN_SIGN_PREDICATE, new Date('2026-01-01T00:00:00Z'));
    const doc = JSON.parse(manifest.toString()) as { mediaType: string };
    const pushed = await seedManifest({ url: src.url }, 'bundled/app', undefined, doc, [Buffer.from('{}'), bundle]);
    assert.equal(pushed.digest, `sha256:${createHash('sha256').update(manifest).digest('hex')}`, 'pushed byte for byte');
    assert.ok(config && layer);
    await seedManifest({ url: src.url }, 'bundled/app', image.digest.replace(':', '-'), {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: pushed.digest, size: pushed.size, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }],
    } as { mediaType: string });
    const policy = await policyFile({ default: signedBy({ signedIdentity: { type: 'matchRepository' } }) });
    const r = await cli('copy', '--policy', policy, `${src.host}/bundled/app:v1`, `${dst.host}/bundled/app:v1`);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /Sigstore bundle names no docker reference, which signedIdentity matchRepository needs/);
  });

  test('requirements regctl does not implement refuse the image, naming them', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ type: 'signedBy', keyType: 'GPGKeys', keyPath }, /signedBy \(GPGKeys, GPG "simple signing"\)/],
      [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchRepository' } }, /signedBaseLayer/],
      [{ type: 'sigstoreSigned', fulcio: { caPath: keyPath, oidcIssuer: 'https://issuer.example', subjectEmail: 'a@example.com' }, rekorPublicKeyPath: keyPath }, /"fulcio".*not supported yet/],
      [{ type: 'sigstoreSigned', keyPath, rekorPublicKeyPath: keyPath, signedIdentity: { type: 'matchRepository' } }, /"rekorPublicKeyPath".*not supported yet/],
    ];
    for (const [req, why] of cases) {
      // insecureAcceptAnything first: every requirement must accept, an unknown one never passes.
      const policy = await policyFile({ default: [{ type: 'insecureAcceptAnything' }, req] });
      const r = await cli('copy', '--policy', policy, `${src.host}/team/app:v1`, `${dst.host}/unimplemented/app:v1`);
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, why);
    }
    assert.equal(await tagsOf(dst, 'unimplemented/app'), undefined);
  });

  test('an index: its own signature covers it and a platform copied out of it; else every image copied needs one', async () => {
    const index = await seedIndex({ url: src.url }, 'multi/app', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const policy = await policyFile({ default: signedBy({ signedIdentity: { type: 'matchRepository' } }) });
    const run = (...args: string[]) => cli('copy', '--dry-run', '--policy', policy, ...args);
    assert.equal((await run(`${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`)).code, 7, 'unsigned index');
    // Only the arm64 image signed: that platform may be copied, not the whole index.
    await pushSignatures({ url: src.url }, 'multi/app', index.manifests[1]!.digest, [{ key: key.privateKey, claimed: `${src.host}/multi/app` }]);
    assert.equal((await run('--platform', 'linux/arm64', `${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`)).code, 0);
    assert.equal((await run('--platform', 'linux/amd64', `${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`)).code, 7);
    const whole = await run(`${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`);
    assert.equal(whole.code, 7);
    assert.ok(whole.stderr.includes(index.manifests[0]!.digest), whole.stderr);
    // The index signed (cosign's default, not recursive): the whole index, and any platform.
    await pushSignatures({ url: src.url }, 'multi/app', index.digest, [{ key: key.privateKey, claimed: `${src.host}/multi/app` }]);
    assert.equal((await run(`${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`)).code, 0);
    assert.equal((await run('--platform', 'linux/amd64', `${src.host}/multi/app:v1`, `${dst.host}/multi/app:v1`)).code, 0);
  });

  test('sync --keep-going reports the refused images and copies the rest; without it a refusal ends the sync; copy --all-tags judges alike', async () => {
    const policy = await policyFile({ default: reject, transports: { docker: { [`${src.host}/team/app`]: signedBy({ signedIdentity: { type: 'matchRepository' } }) } } });
    const r = await cli('sync', '--keep-going', '--policy', policy, '--format', 'json', `${src.host}/team/app`, `${dst.host}/synced/app`);
    assert.equal(r.code, 7, r.stderr);
    const report = JSON.parse(r.stdout) as { images: Array<{ source: string; status: string; error?: { code: string; message: string } }> };
    const status = Object.fromEntries(report.images.map((i) => [i.source.split(':').pop(), i.status]));
    assert.deepEqual(status, { v1: 'copied', v2: 'copied', exact: 'copied', unsigned: 'failed', other: 'failed', 'wrong-digest': 'failed' });
    for (const i of report.images.filter((x) => x.status === 'failed')) assert.equal(i.error?.code, 'ERR_NOT_TRUSTED', i.error?.message);
    assert.match(r.stderr, /unsigned/);
    const tags = (await tagsOf(dst, 'synced/app'))!;
    for (const t of ['v1', 'v2', 'exact']) assert.ok(tags.includes(t), t);
    for (const t of ['unsigned', 'other', 'wrong-digest']) assert.ok(!tags.includes(t), t);
    assert.ok(tags.includes(`${digests.get('team/app:v1')!.replace(':', '-')}.sig`), 'signatures copied along');
    // The .sig tags travel with their images, never judged (or listed) as images themselves.
    assert.ok(!report.images.some((i) => i.source.endsWith('.sig')));
    // Without --keep-going a refusal ends the sync with exit 7; copy --all-tags judges the same way.
    const stop = await cli('sync', '--policy', policy, `${src.host}/team/app`, `${dst.host}/stopped/app`);
    assert.equal(stop.code, 7, stop.stderr);
    assert.match(stop.stderr, /refused by policy/);
    const all = await cli('copy', '--all-tags', '--keep-going', '--policy', policy, '--format', 'json', `${src.host}/team/app`, `${dst.host}/all-tags/app`);
    assert.equal(all.code, 7, all.stderr);
    const allReport = JSON.parse(all.stdout) as { copied: number; failed: number };
    assert.deepEqual([allReport.copied, allReport.failed], [3, 3]);
  });

  test('the installed regctl: copy --policy refuses (exit 7) and accepts; sync --policy --keep-going reports the refused', async () => {
    const policy = await policyFile({ default: reject, transports: { docker: { [`${src.host}/team/app`]: signedBy({ signedIdentity: { type: 'matchRepository' } }) } } });
    const refused = await runInstalled(['copy', '--policy', policy, `${src.host}/team/app:unsigned`, `${dst.host}/installed/app:unsigned`], home.env);
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(refused.stderr, /requires "sigstoreSigned".*no signature/);
    const ok = await runInstalled(['copy', '--policy', policy, `${src.host}/team/app:v2`, `${dst.host}/installed/app:v2`], home.env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), digests.get('team/app:v2'));
    const synced = await runInstalled(['sync', '--keep-going', '--policy', policy, `${src.host}/team/app`, `${dst.host}/installed-sync/app`], home.env);
    assert.equal(synced.code, 7, synced.stderr);
    assert.match(synced.stderr, /unsigned/);
    assert.ok((await tagsOf(dst, 'installed-sync/app'))!.includes('v1'));
  });

  test('the library: a policy object; an invalid one is a UsageError naming option policy; NotTrustedError with reasons', async () => {
    await assert.rejects(copy(`${src.host}/team/app:v1`, `${dst.host}/lib/app:v1`, { policy: { default: [{ type: 'reject' }] }, context: undefined, env: home.env, homedir: home.dir }),
      (err: unknown) => err instanceof NotTrustedError && err.exitCode === 7 && err.reasons.length === 1 && /default requires "reject"/.test(err.message));
    await assert.rejects(copy(`${src.host}/team/app:v1`, `${dst.host}/lib/app:v1`, { policy: { default: [{ type: 'reject', extra: 1 }] }, env: home.env, homedir: home.dir }),
      (err: unknown) => err instanceof UsageError && err.option === 'policy' && /unknown key "extra"/.test(err.message));
    await assert.rejects(copy(`${src.host}/team/app:v1`, `${dst.host}/lib/app:v1`, { policy: 5 as unknown as string, env: home.env, homedir: home.dir }),
      (err: unknown) => err instanceof UsageError && err.option === 'policy');
    // A dry run judges too: the refused image is planned as failed, nothing is written.
    const plan = await sync(`${src.host}/team/app`, `${dst.host}/lib-plan/app`, {
      policy: { default: [{ type: 'reject' }], transports: { docker: { [`${src.host}/team/app:v1`]: [{ type: 'insecureAcceptAnything' }] } } },
      dryRun: true, keepGoing: true, env: home.env, homedir: home.dir,
    });
    assert.deepEqual(plan.images.filter((i) => i.status !== 'failed').map((i) => i.source), [`${src.host}/team/app:v1`]);
    assert.equal(await tagsOf(dst, 'lib-plan/app'), undefined);
    const report = await sync(`${src.host}/team/app`, `${dst.host}/lib-sync/app`, {
      policy: { default: [{ type: 'reject' }], transports: { docker: { [`${src.host}/team/app:v2`]: [{ type: 'insecureAcceptAnything' }] } } },
      keepGoing: true, env: home.env, homedir: home.dir,
    });
    assert.equal(report.copied, 1);
    assert.equal(report.failed, report.images.length - 1);
    assert.deepEqual(await tagsOf(dst, 'lib-sync/app'), ['v2']);
  });

  test('the config\'s policy applies when no --policy is given; "system" is ~/.config/containers/policy.json', async () => {
    const rejectAll = await policyFile({ default: reject });
    const configured = await makeHome({ policy: rejectAll });
    try {
      const r = await runCli(['copy', `${src.host}/solo:v1`, `${dst.host}/configured/solo:v1`], configured.env);
      assert.equal(r.code, 7, r.stderr);
      const over = await runCli(['copy', '--policy', await policyFile({ default: accept }), `${src.host}/solo:v1`, `${dst.host}/configured/solo:v1`], configured.env);
      assert.equal(over.code, 0, `--policy wins over the config: ${over.stderr}`);
    } finally {
      await configured.cleanup();
    }
    const system = await makeHome({ policy: 'system' });
    try {
      await mkdir(join(system.dir, '.config', 'containers'), { recursive: true });
      await writeFile(join(system.dir, '.config', 'containers', 'policy.json'), JSON.stringify({ default: reject }));
      const r = await runCli(['pull', `${src.host}/solo:v1`], system.env);
      assert.equal(r.code, 7, r.stderr);
      assert.ok(r.stderr.includes(join(system.dir, '.config', 'containers', 'policy.json')), r.stderr);
    } finally {
      await system.cleanup();
    }
  });

  test('registries.d use-sigstore-attachments: false leaves the tag-based signatures unread (and unwritten at such a destination)', async () => {
    const h = await makeHome();
    try {
      const policy = await policyFile({ default: signedBy({ signedIdentity: { type: 'matchRepository' } }) });
      const d = join(h.dir, '.config', 'containers', 'registries.d');
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'src.yaml'), `docker:\n  ${src.host}/team:\n    use-sigstore-attachments: false\n`);
      const r = await runCli(['copy', '--policy', policy, `${src.host}/team/app:v1`, `${dst.host}/attach/app:v1`], h.env);
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, /no signature/);
      // Another repository of the same registry is not under that namespace: read as usual. The destination says
      // false: the image is copied, its signature is not.
      await writeFile(join(d, 'dst.yaml'), `docker:\n  ${dst.host}:\n    use-sigstore-attachments: false\n`);
      const ok = await runCli(['copy', '--policy', policy, `${src.host}/solo:v1`, `${dst.host}/attach/solo:v1`], h.env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(await tagsOf(dst, 'attach/solo'), ['v1']);
    } finally {
      await h.cleanup();
    }
  });

  test('save and pull judge registry images, load judges the archive\'s (docker-archive ""); refused: no file, nothing loaded', async () => {
    const h = await makeHome();
    try {
      const refuse = await policyFile({ default: accept, transports: { docker: { [`${src.host}/solo`]: reject }, 'docker-archive': { '': reject } } });
      const out = join(h.dir, 'out.tar');
      const saved = await runCli(['save', '--policy', refuse, '-o', out, `${src.host}/solo:v1`], h.env);
      assert.equal(saved.code, 7, saved.stderr);
      assert.equal(await readdir(h.dir).then((l) => l.includes('out.tar')), false);
      assert.equal((await runCli(['pull', '--policy', refuse, `${src.host}/solo:v1`], h.env)).code, 7);
      const images = await runCli(['images', '--format', 'json'], h.env);
      assert.doesNotMatch(images.stdout, /solo/);
      // Saved without a policy, then loaded under one refusing docker-archive images.
      assert.equal((await runCli(['save', '-o', out, `${src.host}/solo:v1`], h.env)).code, 0);
      const loaded = await runCli(['load', '--policy', refuse, '-i', out], h.env);
      assert.equal(loaded.code, 7, loaded.stderr);
      assert.match(loaded.stderr, /transports\.docker-archive\[""\] requires "reject"/);
      assert.doesNotMatch((await runCli(['images', '--format', 'json'], h.env)).stdout, /solo/);
      const ok = await runCli(['load', '--policy', await policyFile({ default: reject, transports: { 'docker-archive': { '': accept } } }), '-i', out], h.env);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await h.cleanup();
    }
  });
});

describe('policy scopes and validation, judged by skopeo 1.9.3', () => {
  let reg: RegistryHandle;
  let home: Home;
  let dir: string;
  let digest: string;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    dir = await mkdtemp(join(tmpdir(), 'regctl-policy-skopeo-'));
    digest = (await seedImage({ url: reg.url }, 'ns/sub/repo', 'tag')).digest;
    await seedImage({ url: reg.url }, 'ns/sub/repo', 'latest');
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  let n = 0;
  const write = async (policy: object | string): Promise<string> => {
    const path = join(dir, `policy-${n++}.json`);
    await writeFile(path, typeof policy === 'string' ? policy : JSON.stringify(policy));
    return path;
  };
  /** skopeo's verdict on copying `image` under `policy`: accepted, or refused by the policy. */
  const skopeo = async (policy: string, image: string): Promise<'accepted' | 'refused'> => {
    const out = join(dir, `out-${n++}`);
    try {
      await execFileAsync('skopeo', ['--policy', policy, 'copy', '--src-tls-verify=false', `docker://${image}`, `dir:${out}`]);
      return 'accepted';
    } catch (err) {
      const stderr = (err as { stderr: string }).stderr;
      assert.match(stderr, /rejected by policy|Source image rejected/, stderr);
      return 'refused';
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  };
  const regctl = async (policy: string, image: string): Promise<'accepted' | 'refused'> => {
    const r = await runCli(['copy', '--dry-run', '--policy', policy, image, `${reg.host}/judged/x:y`], home.env);
    assert.ok(r.code === 0 || r.code === 7, r.stderr);
    return r.code === 0 ? 'accepted' : 'refused';
  };

  test('the most specific scope wins, as in skopeo: a table of 26 cases (tag, digest, no tag; namespaces, host, *. wildcards)', async () => {
    const host = reg.host;
    const image = `${host}/ns/sub/repo:tag`;
    // Most specific first, as containers/image looks them up; then scopes that never apply to this image.
    const candidates = [`${host}/ns/sub/repo:tag`, `${host}/ns/sub/repo`, `${host}/ns/sub`, `${host}/ns`, host, '*.0.0.1', '*.0.1', '*.1', ''];
    const decoys = [`${host}/ns/sub/rep`, `${host}/ns/su`, `${host}/ns/sub/repo:other`, '127.0.0.1', `${host}/ns/sub/repo/deeper`, '*.127.0.0.1', `localhost:${reg.port}/ns`, `${host}/ns/sub/repo@${digest}`];
    const cases: Array<{ image: string; scopes: Record<string, unknown[]>; def: unknown[] }> = [];
    const rej = [{ type: 'reject' }];
    const acc = [{ type: 'insecureAcceptAnything' }];
    for (let k = 0; k <= candidates.length; k++) {
      for (const [mine, others] of [[rej, acc], [acc, rej]] as const) {
        // candidates[k] (or the global default when k is past them) decides; everything less specific and every
        // decoy says the opposite.
        const scopes: Record<string, unknown[]> = {};
        for (const d of decoys) scopes[d] = mine;
        candidates.slice(k).forEach((c, i) => { scopes[c] = i === 0 ? mine : others; });
        cases.push({ image, scopes, def: k === candidates.length ? mine : others });
      }
    }
    // By digest: the digest's own scope, not the tag's; without a tag: `:latest`.
    cases.push({ image: `${host}/ns/sub/repo@${digest}`, scopes: { [`${host}/ns/sub/repo@${digest}`]: rej, [`${host}/ns/sub/repo:tag`]: acc }, def: acc });
    cases.push({ image: `${host}/ns/sub/repo@${digest}`, scopes: { [`${host}/ns/sub/repo:tag`]: rej }, def: acc });
    cases.push({ image: `${host}/ns/sub/repo`, scopes: { [`${host}/ns/sub/repo:latest`]: rej }, def: acc });
    cases.push({ image: `${host}/ns/sub/repo`, scopes: { [`${host}/ns/sub/repo:tag`]: rej }, def: acc });
    assert.equal(cases.length, 24);
    // Two more: a transport section without a "" falls back to the global default; another transport's scopes do not apply.
    cases.push({ image, scopes: {}, def: rej });
    const other = await write({ default: acc, transports: { oci: { '/tmp': rej }, 'docker-daemon': { [`${host}/ns`]: rej } } });
    const verdicts: string[] = [];
    for (const c of cases) {
      const policy = await write({ default: c.def, transports: { docker: c.scopes } });
      const [theirs, ours] = [await skopeo(policy, c.image), await regctl(policy, c.image)];
      assert.equal(ours, theirs, `${c.image} under ${JSON.stringify(c.scopes)} default ${JSON.stringify(c.def)}`);
      verdicts.push(ours);
    }
    assert.equal(await regctl(other, image), await skopeo(other, image));
    assert.ok(verdicts.includes('accepted') && verdicts.includes('refused'));
  });

  test('oci: and oci-archive: scopes are absolute paths (symlinks resolved) and their parents, as in skopeo', async () => {
    const base = join(dir, 'layouts', 'team');
    await mkdir(base, { recursive: true });
    const layout = join(base, 'app');
    const archive = join(base, 'app.tar');
    const link = join(dir, 'link-to-team');
    assert.equal((await runCli(['copy', '--manifest-format', 'oci', `${reg.host}/ns/sub/repo:tag`, `oci:${layout}:v1`], home.env)).code, 0);
    assert.equal((await runCli(['copy', '--manifest-format', 'oci', `${reg.host}/ns/sub/repo:tag`, `oci-archive:${archive}:v1`], home.env)).code, 0);
    await symlink(base, link);
    const rej = [{ type: 'reject' }];
    const acc = [{ type: 'insecureAcceptAnything' }];
    const regctlLocal = async (policy: string, from: string): Promise<'accepted' | 'refused'> => {
      const r = await runCli(['copy', '--dry-run', '--policy', policy, from, `${reg.host}/judged/x:y`], home.env);
      assert.ok(r.code === 0 || r.code === 7, r.stderr);
      return r.code === 0 ? 'accepted' : 'refused';
    };
    const skopeoLocal = async (policy: string, from: string): Promise<'accepted' | 'refused'> => {
      const out = join(dir, `out-${n++}`);
      try {
        await execFileAsync('skopeo', ['--policy', policy, 'copy', from, `dir:${out}`]);
        return 'accepted';
      } catch (err) {
        assert.match((err as { stderr: string }).stderr, /rejected by policy|Source image rejected/);
        return 'refused';
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    };
    const cases: Array<[string, object]> = [];
    for (const [transport, target] of [['oci', layout], ['oci-archive', archive]] as const) {
      for (const from of [`${transport}:${target}:v1`, `${transport}:${join(link, target.slice(base.length + 1))}:v1`]) {
        cases.push([from, { default: acc, transports: { [transport]: { [target]: rej, [base]: acc } } }]);
        cases.push([from, { default: acc, transports: { [transport]: { [base]: rej, [dir]: acc } } }]);
        cases.push([from, { default: acc, transports: { [transport]: { [join(dir, 'layouts')]: rej, '': acc, [`${target}x`]: acc } } }]);
        cases.push([from, { default: acc, transports: { [transport]: { '': rej, [join(dir, 'other')]: acc } } }]);
        cases.push([from, { default: rej, transports: { [transport]: { [join(base, 'ap')]: acc }, docker: { '': acc } } }]);
        cases.push([from, { default: rej, transports: { [transport]: { [target]: acc } } }]);
      }
    }
    for (const [from, policy] of cases) {
      const path = await write(policy);
      assert.equal(await regctlLocal(path, from), await skopeoLocal(path, from), `${from} under ${JSON.stringify(policy)}`);
    }
    assert.equal(cases.length, 24);
  });

  test('invalid policies are refused as skopeo refuses them, valid ones read (a table of 27)', async () => {
    const k = '/nonexistent/cosign.pub';
    const invalid: Array<object | string> = [
      {},
      { default: [] },
      { default: {} },
      { default: [{ type: 'reject' }], other: 1 },
      { default: [{ type: 'nope' }] },
      { default: [{ type: 5 }] },
      { default: [{ type: 'reject', x: 1 }] },
      '{"default": [{"type": "reject"}], "default": [{"type": "reject"}]}',
      '{"default": [{"type": "reject"}], "transports": {"docker": {"a": [{"type": "reject"}], "a": [{"type": "reject"}]}}}',
      { default: [{ type: 'reject' }], transports: { docker: { 'x.example.com': [] } } },
      { default: [{ type: 'reject' }], transports: { 'docker-archive': { '/tmp/a.tar': [{ type: 'reject' }] } } },
      { default: [{ type: 'reject' }], transports: { oci: { 'relative/dir': [{ type: 'reject' }] } } },
      { default: [{ type: 'reject' }], transports: { oci: { '/': [{ type: 'reject' }] } } },
      { default: [{ type: 'signedBy', keyPath: k }] },
      { default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: k, keyData: 'AAAA' }] },
      { default: [{ type: 'sigstoreSigned' }] },
      { default: [{ type: 'sigstoreSigned', keyPath: k, keyData: 'AAAA' }] },
      { default: [{ type: 'sigstoreSigned', keyPath: k, signedIdentity: { type: 'matchSomething' } }] },
      { default: [{ type: 'sigstoreSigned', keyPath: k, signedIdentity: { type: 'exactReference', dockerReference: 'example.com/app' } }] },
      { default: [{ type: 'sigstoreSigned', keyPath: k, signedIdentity: { type: 'remapIdentity', prefix: 'example.com/app:1', signedPrefix: 'example.org' } }] },
      { default: [{ type: 'sigstoreSigned', keyData: 'not base64!' }] },
      { default: [{ type: 'sigstoreSigned', fulcio: { caPath: k, oidcIssuer: 'https://i.example', subjectEmail: 'a@example.com' } }] },
      { default: [{ type: 'sigstoreSigned', keyPath: k, rekorPublicKeyPath: k, rekorPublicKeyData: 'AAAA' }] },
    ];
    const valid: object[] = [
      { default: [{ type: 'insecureAcceptAnything' }] },
      { default: [{ type: 'reject' }], transports: { docker: { '*.example.com': [{ type: 'reject' }], '': [{ type: 'insecureAcceptAnything' }] }, unknowntransport: { 'any thing': [{ type: 'reject' }] } } },
      { default: [{ type: 'sigstoreSigned', keyPath: k }], transports: { oci: { '/srv/layouts': [{ type: 'reject' }] }, 'docker-archive': { '': [{ type: 'reject' }] } } },
      { default: [{ type: 'sigstoreSigned', keyData: 'AAAA', signedIdentity: { type: 'remapIdentity', prefix: 'mirror.example.com:5000/ns', signedPrefix: 'docker.io/library' } }] },
    ];
    const judge = async (policy: object | string) => {
      const path = await write(policy);
      const theirs = await execFileAsync('skopeo', ['--policy', path, 'copy', 'docker://127.0.0.1:1/x', `dir:${join(dir, 'none')}`]).then(() => '', (err: { stderr: string }) => err.stderr);
      const ours = await runCli(['copy', '--policy', path, '127.0.0.1:1/x', `${reg.host}/never/x`], home.env);
      return { skopeoInvalid: /invalid policy/.test(theirs), regctlInvalid: ours.code === 1 && ours.stderr.includes(`policy ${path}`), detail: `${theirs}\n${ours.stderr}` };
    };
    for (const p of invalid) {
      const v = await judge(p);
      assert.ok(v.skopeoInvalid && v.regctlInvalid, `${JSON.stringify(p)}: ${v.detail}`);
    }
    for (const p of valid) {
      const v = await judge(p);
      assert.ok(!v.skopeoInvalid && !v.regctlInvalid, `${JSON.stringify(p)}: ${v.detail}`);
    }
    assert.equal(invalid.length + valid.length, 27);
  });
});

describe('signedIdentity and scopes on containers/image\'s own test tables', () => {
  type Row3 = [string, string, boolean];
  const tables = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'containers-image', 'reference-match.json'), 'utf8')) as {
    exactMatch: Row3[]; repositoryMatch: Row3[]; matchRepoDigestOrExact: Row3[];
    remapReferencePrefix: Array<[string, string, string, string]>; remapIdentityMatches: Array<[string, string, string, string, boolean]>;
    scopes: { policyScopes: Array<[string, string]>; cases: Array<[string, string, string, string]> };
  };
  /** containers/image's testImageAndSig: undefined when the image reference is invalid (testPossiblyInvalidImageAndSig skips it). */
  const matches = (rule: SignedIdentity, image: string, sig: string): boolean | undefined => {
    const img = parseIdentity(image);
    return img ? identityProblem(rule, img, sig) === undefined : undefined;
  };
  const both = (rule: SignedIdentity, rows: Row3[], keep: (r: boolean) => boolean = () => true): number => {
    let n = 0;
    for (const [a, b, want] of rows.filter((r) => keep(r[2]))) {
      for (const [img, sig] of [[a, b], [b, a]] as const) {
        const got = matches(rule, img, sig);
        if (got === undefined) continue;
        assert.equal(got, want, `${rule.type}: image ${img} vs. signature ${sig}`);
        n++;
      }
    }
    return n;
  };

  test('matchExact, matchRepository, matchRepoDigestOrExact, exactReference, exactRepository: 257 verdicts as containers/image\'s tests expect', () => {
    let n = 0;
    n += both({ type: 'matchExact' }, tables.exactMatch);
    n += both({ type: 'matchRepository' }, tables.repositoryMatch);
    // matchRepoDigestOrExact accepts what matchExact accepts, refuses what matchRepository refuses, and its own table.
    n += both({ type: 'matchRepoDigestOrExact' }, tables.exactMatch, (r) => r);
    n += both({ type: 'matchRepoDigestOrExact' }, tables.repositoryMatch, (r) => !r);
    for (const [img, sig, want] of tables.matchRepoDigestOrExact) {
      assert.equal(matches({ type: 'matchRepoDigestOrExact' }, img, sig), want, `${img} vs. ${sig}`);
      n++;
    }
    // exactReference / exactRepository: the policy's reference (possibly invalid) against the signature's.
    for (const [table, make] of [
      [tables.exactMatch, (r: string): SignedIdentity => ({ type: 'exactReference', dockerReference: r })],
      [tables.repositoryMatch, (r: string): SignedIdentity => ({ type: 'exactRepository', dockerRepository: r })],
    ] as const) {
      for (const [a, b, want] of table) {
        for (const [ref, sig] of [[a, b], [b, a]] as const) {
          assert.equal(identityProblem(make(ref), undefined, sig) === undefined, want, `${make(ref).type} ${ref} vs. ${sig}`);
          n++;
        }
      }
    }
    assert.equal(n, 257);
  });

  test('remapIdentity: the prefix rewrite (18 cases) and matching (12 cases) as containers/image\'s tests expect', () => {
    for (const [prefix, signedPrefix, ref, expected] of tables.remapReferencePrefix) {
      const out = remap(parseIdentity(ref)!, prefix, signedPrefix);
      assert.equal(out ? identityString(out) : '', expected, `${prefix} → ${signedPrefix} on ${ref}`);
    }
    for (const [prefix, signedPrefix, img, sig, want] of tables.remapIdentityMatches) {
      assert.equal(matches({ type: 'remapIdentity', prefix, signedPrefix }, img, sig), want, `${prefix} → ${signedPrefix}: ${img} vs. ${sig}`);
    }
    assert.deepEqual([tables.remapReferencePrefix.length, tables.remapIdentityMatches.length], [18, 12]);
  });

  test('scope lookup: containers/image\'s 11 cases (full match, namespaces, host, *. subdomains, transport default, global default)', () => {
    const transports: Policy['transports'] = {};
    for (const [t, scope] of tables.scopes.policyScopes) (transports[t] ??= {})[scope] = [{ type: 'reject' }];
    const policy: Policy = { source: 'test', default: [{ type: 'reject' }], transports };
    for (const [transport, input, matchedTransport, matched] of tables.scopes.cases) {
      const got = requirementsFor(policy, dockerSubject(transport, parseReference(input))).scope;
      assert.equal(got, matchedTransport ? `transports.${matchedTransport}[${JSON.stringify(matched)}]` : 'default', `${transport}:${input}`);
    }
    assert.equal(tables.scopes.cases.length, 11);
  });
});
