// Sigstore bundles: verification judged by other projects' data (sigstore-conformance's bundle-verify cases, GitHub
// attestation bundles from cli/cli's test data), keyless refusals against a trust domain of our own (@sigstore/mock),
// the cosign v3 referrer layout, and sign --bundle / verify / verify-attestation on the real registry.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import * as lib from '../src/index.js';
import { writeTo } from '../src/content/target.js';
import { parseLocation } from '../src/ops/transports/index.js';
import { verifyBundle } from '../src/trust/bundle-verify.js';
import { readPrivateKey } from '../src/trust/keys.js';
import { bundleManifest, keyBundle, keyHint, pushBundle } from '../src/trust/bundle-oci.js';
import { runInstalled } from './helpers/installed.js';
import { startReferrersProxy, type ReferrersProxyHandle } from './helpers/referrers-proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, withContext, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, seedManifest } from './helpers/seed.js';
import { makeTestbed, TEST_IDENTITY, TEST_ISSUER, type Testbed } from './helpers/sigstore-testbed.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const CONFORMANCE = join(FIXTURES, 'sigstore-conformance/bundle-verify');
const PUBLIC_GOOD = JSON.parse(readFileSync(join(FIXTURES, 'sigstore-public-good/trusted_root.json'), 'utf8')) as unknown;
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** go-containerregistry's empty.Image, byte for byte (the subject of cosign's oci-attestation.sigstore.json). */
const GGCR_EMPTY_CONFIG = Buffer.from('{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}');
const GGCR_EMPTY_MANIFEST = {
  schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: GGCR_EMPTY_CONFIG.length, digest: `sha256:${sha256(GGCR_EMPTY_CONFIG)}` }, layers: [],
};
const GGCR_EMPTY_DIGEST = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';

describe('sigstore-conformance bundle-verify cases', () => {
  // Each directory as the suite's test_verify runs it (test/assets/bundle-verify/README.md): the artifact (or a.txt),
  // key.pub (verify with the key) or the identity/issuer (default: the conformance beacon), its trusted_root.json or
  // the public-good one; a name ending in _fail must be refused, any other accepted.
  const cases = readdirSync(CONFORMANCE).filter((n) => existsSync(join(CONFORMANCE, n, 'bundle.sigstore.json'))).sort();
  test('all cases are here', () => assert.equal(cases.length, 70));
  for (const name of cases) {
    test(name, () => {
      const dir = join(CONFORMANCE, name);
      const file = (n: string) => (existsSync(join(dir, n)) ? readFileSync(join(dir, n), 'utf8').trim() : undefined);
      const artifact = readFileSync(existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CONFORMANCE, 'a.txt'));
      let verdict: { valid: boolean; reason?: string | undefined };
      let json: unknown;
      try {
        json = JSON.parse(file('bundle.sigstore.json')!);
      } catch {
        json = undefined;
      }
      const root = file('trusted_root.json') ? JSON.parse(file('trusted_root.json')!) as unknown : PUBLIC_GOOD;
      const keyPem = file('key.pub');
      let key;
      try {
        key = keyPem ? createPublicKey(keyPem) : undefined;
      } catch {
        key = undefined; // managed-key-wrong-key_fail: an unreadable key verifies nothing
      }
      if (json === undefined) verdict = { valid: false, reason: 'not JSON' };
      else {
        verdict = verifyBundle(json, { digest: `sha256:${sha256(artifact)}`, bytes: artifact }, keyPem
          ? { keys: key ? [key] : [], trustedRoot: root }
          : { trustedRoot: root, identity: file('identity') ?? BEACON, issuer: file('issuer') ?? 'https://token.actions.githubusercontent.com' });
      }
      if (name.endsWith('_fail')) assert.equal(verdict.valid, false, `${name} must be refused`);
      else assert.equal(verdict.valid, true, `${name} must verify: ${verdict.reason}`);
      if (!verdict.valid) assert.ok(verdict.reason, 'a refusal names its reason');
      // The suite's digest mode (the artifact given by its digest only), for DSSE bundles: the statement's subject
      // carries the digest, so the bytes are not needed (a message signature needs them: not run that way).
      if (json && typeof json === 'object' && 'dsseEnvelope' in json) {
        const byDigest = verifyBundle(json, { digest: `sha256:${sha256(artifact)}` }, keyPem
          ? { keys: key ? [key] : [], trustedRoot: root }
          : { trustedRoot: root, identity: file('identity') ?? BEACON, issuer: file('issuer') ?? 'https://token.actions.githubusercontent.com' });
        assert.equal(byDigest.valid, verdict.valid, `${name} by digest: ${byDigest.reason}`);
      }
    });
  }
});

describe('GitHub attestation bundles (cli/cli test data) against their trusted root', () => {
  const dir = join(FIXTURES, 'github-attestations');
  const root = JSON.parse(readFileSync(join(dir, 'trusted_root.json'), 'utf8')) as unknown;
  const load = (n: string) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as unknown;

  test('actions/attest-build-provenance bundle (reusable workflow) verifies for its artifact, with the SLSA predicate', () => {
    const artifact = readFileSync(join(dir, 'reusable-workflow-artifact'));
    const v = verifyBundle(load('reusable-workflow-attestation.sigstore.json'), { digest: `sha256:${sha256(artifact)}` }, {
      trustedRoot: root,
      identityRegexp: '^https://github\\.com/github/artifact-attestations-workflows/\\.github/workflows/attest\\.yml@',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    assert.equal(v.valid, true, v.reason);
    assert.equal(v.content, 'dsse-envelope');
    assert.equal(v.statement?.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(v.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(v.time, '2024-05-24T19:14:24.000Z');
  });

  test('the same bundle is refused for another artifact, another workflow, and against a trusted root of others', () => {
    const artifact = readFileSync(join(dir, 'reusable-workflow-artifact'));
    const bundle = load('reusable-workflow-attestation.sigstore.json');
    const trust = { trustedRoot: root, identityRegexp: 'artifact-attestations-workflows', issuer: 'https://token.actions.githubusercontent.com' };
    assert.match(verifyBundle(bundle, { digest: `sha256:${sha256('other')}` }, trust).reason ?? '', /^digest mismatch/);
    assert.match(verifyBundle(bundle, { digest: `sha256:${sha256(artifact)}` }, { ...trust, identityRegexp: '^https://github\\.com/evil/' }).reason ?? '', /^identity: /);
    const conformanceRoot = JSON.parse(readFileSync(join(CONFORMANCE, 'intoto-with-custom-trust-root/trusted_root.json'), 'utf8')) as unknown;
    const other = verifyBundle(bundle, { digest: `sha256:${sha256(artifact)}` }, { ...trust, trustedRoot: conformanceRoot });
    assert.equal(other.valid, false);
  });

  test('sigstore-js 2.1.0 npm provenance bundle verifies by its sha512 subject', () => {
    const v = verifyBundle(load('sigstore-js-2.1.0-bundle.json'), {
      digest: 'sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f',
    }, { trustedRoot: root, identity: 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' });
    assert.equal(v.valid, true, v.reason);
    assert.equal(v.signer, 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main');
  });
});

describe('cosign\'s own bundle test data', () => {
  test('cosign\'s oci-attestation.sigstore.json verifies against its trusted root for go-containerregistry\'s empty image', () => {
    const dir = join(FIXTURES, 'cosign-bundles');
    const bundle = JSON.parse(readFileSync(join(dir, 'oci-attestation.sigstore.json'), 'utf8')) as unknown;
    const trustedRoot = JSON.parse(readFileSync(join(dir, 'trusted_root_pgi.json'), 'utf8')) as unknown;
    const v = verifyBundle(bundle, { digest: GGCR_EMPTY_DIGEST }, { trustedRoot, identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' });
    assert.equal(v.valid, true, v.reason);
    assert.equal(v.statement?.predicateType, 'https://cosign.sigstore.dev/attestation/v1');
    assert.deepEqual(v.statement?.predicate, { Data: '{"foo": "bar"}\n', Timestamp: '2025-02-28T19:18:11Z' });
    assert.match(verifyBundle(bundle, { digest: GGCR_EMPTY_DIGEST }, { trustedRoot, identity: 'someone@else.example', issuer: 'https://github.com/login/oauth' }).reason!, /^identity: /);
    assert.match(verifyBundle(bundle, { digest: `sha256:${sha256('x')}` }, { trustedRoot, identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' }).reason!, /^digest mismatch/);
  });
});

describe('keyless bundles against a trust domain built for the tests', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const statement = { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'img', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: { buildDefinition: { buildType: 'test' } } };
  const setup = (async () => {
    const bed = await makeTestbed();
    return { bed, bundle: await bed.signDsse(statement), trust: { trustedRoot: bed.trustedRoot, identity: TEST_IDENTITY, issuer: TEST_ISSUER } };
  })();

  test('a bundle from the test CA and log verifies: signer, issuer, time', async () => {
    const { bundle, trust } = await setup;
    const v = verifyBundle(bundle, { digest }, trust);
    assert.equal(v.valid, true, v.reason);
    assert.equal(v.signer, TEST_IDENTITY);
    assert.equal(v.issuer, TEST_ISSUER);
    assert.ok(v.time);
    assert.deepEqual(verifyBundle(bundle, { digest }, { ...trust, identity: undefined, identityRegexp: '^https://github\\.com/example/' }).valid, true);
  });

  test('identity mismatch is refused with its reason', async () => {
    const { bundle, trust } = await setup;
    const v = verifyBundle(bundle, { digest }, { ...trust, identity: 'https://github.com/example/app/.github/workflows/other.yml@refs/heads/main' });
    assert.equal(v.valid, false);
    assert.match(v.reason!, /^identity: certificate identity https:\/\/github\.com\/example\/app\/.*release\.yml.* is not /);
    assert.match(verifyBundle(bundle, { digest }, { ...trust, identity: undefined, identityRegexp: '^https://gitlab\\.com/' }).reason!, /^identity: .*does not match/);
  });

  test('issuer mismatch is refused with its reason', async () => {
    const { bundle, trust } = await setup;
    const v = verifyBundle(bundle, { digest }, { ...trust, issuer: 'https://accounts.google.com' });
    assert.equal(v.valid, false);
    assert.match(v.reason!, /^issuer: OIDC issuer https:\/\/token\.actions\.example\.test is not https:\/\/accounts\.google\.com/);
  });

  test('an invalid inclusion proof is refused with its reason', async () => {
    const { bundle, trust } = await setup;
    const tampered = structuredClone(bundle) as { verificationMaterial: { tlogEntries: { inclusionProof: { rootHash: string; hashes: string[] } }[] } };
    const proof = tampered.verificationMaterial.tlogEntries[0]!.inclusionProof;
    const root = Buffer.from(proof.rootHash, 'base64');
    root[0] ^= 1;
    proof.rootHash = root.toString('base64');
    assert.match(verifyBundle(tampered, { digest }, trust).reason!, /^invalid inclusion proof: /);
    const extra = structuredClone(bundle) as typeof tampered;
    extra.verificationMaterial.tlogEntries[0]!.inclusionProof.hashes = [Buffer.alloc(32, 7).toString('base64')];
    assert.match(verifyBundle(extra, { digest }, trust).reason!, /^invalid inclusion proof: /);
  });

  test('a certificate expired at the log\'s time is refused with its reason', async () => {
    const { bed, trust } = await setup;
    const late = await bed.signDsse(statement, { logTime: new Date(Date.now() + 3600_000) }); // leaf valid 10 minutes
    const v = verifyBundle(late, { digest }, trust);
    assert.equal(v.valid, false);
    assert.match(v.reason!, /^expired: .*not valid or expired/);
  });

  test('another trust domain, no trusted root, no identity: each refused', async () => {
    const { bundle, trust } = await setup;
    const other = await makeTestbed();
    assert.match(verifyBundle(bundle, { digest }, { ...trust, trustedRoot: other.trustedRoot }).reason!, /^certificate: /);
    assert.match(verifyBundle(bundle, { digest }, { ...trust, trustedRoot: undefined }).reason!, /no trusted root/);
    assert.match(verifyBundle(bundle, { digest }, { trustedRoot: trust.trustedRoot, issuer: TEST_ISSUER }).reason!, /no certificate identity/);
  });
});

describe('key-based bundles as cosign v3 writes them', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const digest = `sha256:${sha256('manifest')}`;

  test('keyBundle: DSSE in-toto statement over the digest with cosign\'s predicate, the key hint; verified by the key only', () => {
    const bytes = keyBundle(keys.privateKey, keys.publicKey, digest, { annotations: { env: 'prod' } });
    const bundle = JSON.parse(bytes.toString()) as { mediaType: string; verificationMaterial: { publicKey: { hint: string } }; dsseEnvelope: { payload: string; payloadType: string } };
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.verificationMaterial.publicKey.hint, keyHint(keys.publicKey));
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    const st = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { subject: unknown; predicateType: string };
    assert.deepEqual(st.subject, [{ digest: { sha256: digest.slice(7) }, annotations: { env: 'prod' } }]);
    assert.equal(st.predicateType, 'https://sigstore.dev/cosign/sign/v1');
    const v = verifyBundle(bundle, { digest }, { keys: [keys.publicKey] });
    assert.equal(v.valid, true, v.reason);
    assert.equal(v.signer, createHash('sha256').update(keys.publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.match(verifyBundle(bundle, { digest }, { keys: [other.publicKey] }).reason!, /^wrong key/);
    assert.match(verifyBundle(bundle, { digest: `sha256:${sha256('other')}` }, { keys: [keys.publicKey] }).reason!, /^digest mismatch/);
    const tampered = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(JSON.stringify({ ...st, predicate: { x: 1 } })).toString('base64') } };
    assert.match(verifyBundle(tampered, { digest }, { keys: [keys.publicKey] }).reason!, /^wrong key|^bad signature/);
  });

  test('bundleManifest: cosign v3\'s referrer layout', () => {
    const subject = { mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: 1234 };
    const bundle = keyBundle(keys.privateKey, keys.publicKey, digest);
    const { manifest, desc } = bundleManifest(subject, bundle, 'https://sigstore.dev/cosign/sign/v1', new Date('2026-01-02T03:04:05.678Z'));
    assert.equal(desc.digest, `sha256:${sha256(manifest)}`);
    assert.deepEqual(JSON.parse(manifest.toString()), {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', size: bundle.length, digest: `sha256:${sha256(bundle)}` }],
      annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1', 'org.opencontainers.image.created': '2026-01-02T03:04:05Z' },
      subject,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
  });
});

// ---- On the real registry (distribution 2.8: no referrers API), and behind the referrers API fixture ----

/** GET a manifest or the tag list straight from the registry (not through regctl). */
async function rawGet(url: string, path: string): Promise<{ status: number; json: any }> {
  const res = await request(`${url}/v2/${path}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' } });
  const text = await res.body.text();
  return { status: res.statusCode, json: res.statusCode === 200 ? JSON.parse(text) : undefined };
}

/** Attaches a bundle to `image` as cosign v3 does, through regctl's registry target (tag schema or API). */
async function attachBundle(home: Home, image: string, bundle: unknown, predicateType: string): Promise<string> {
  return withContext(home, async (ctx) => {
    const location = parseLocation(image);
    const src = await location.openSource(ctx);
    const d = await src.target.resolve();
    await src.close();
    const dst = await location.openDestination(ctx, {});
    try {
      return (await writeTo(dst.target, (t) => pushBundle(t, { mediaType: d.mediaType, digest: d.digest, size: d.size }, Buffer.from(JSON.stringify(bundle)), predicateType, new Date()))).digest;
    } finally {
      await dst.close();
    }
  });
}

const inToto = (digest: string, predicateType: string, predicate: unknown) => ({
  _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'image', digest: { sha256: digest.slice('sha256:'.length) } }], predicateType, predicate,
});

describe('sign --bundle, verify and verify-attestation on the real registry', () => {
  let plain: RegistryHandle; // distribution 2.8: no referrers API
  let backed: RegistryHandle; // behind the referrers API fixture
  let api: ReferrersProxyHandle;
  let home: Home;
  let dir: string;
  let bed: Testbed;
  let trustedRoot: string;
  const ok = async (...args: string[]) => {
    const r = await runCli(args, home.env);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    [plain, backed] = await Promise.all([startRegistry(), startRegistry()]);
    api = await startReferrersProxy(backed.url);
    home = await makeHome(undefined, { COSIGN_PASSWORD: 'pw' });
    dir = await mkdtemp(join(tmpdir(), 'regctl-bundles-'));
    await lib.generateKey({ passphrase: 'pw', prefix: join(dir, 'cosign') });
    await lib.generateKey({ passphrase: 'pw', prefix: join(dir, 'other') });
    bed = await makeTestbed();
    trustedRoot = join(dir, 'trusted_root.json');
    await writeFile(trustedRoot, JSON.stringify(bed.trustedRoot));
  });
  after(async () => {
    await api.stop();
    await Promise.all([plain.stop(), backed.stop()]);
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('without the referrers API: sign --bundle writes cosign v3\'s referrer in the referrers tag, appends, and verify --key accepts it', async () => {
    const img = await seedImage({ url: plain.url }, 'app/signed', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/signed:1`;
    const first = await ok('sign', image, '--key', join(dir, 'cosign.key'), '--bundle', '--format', 'json');
    const signed = JSON.parse(first.stdout) as { digest: string; signed: { format: string; signatureManifest: string; signatures: number }[] };
    assert.equal(signed.digest, img.digest);
    assert.equal(signed.signed[0]!.format, 'bundle');
    const second = JSON.parse((await ok('sign', image, '--key', join(dir, 'other.key'), '--bundle', '-a', 'env=prod', '--format', 'json')).stdout) as typeof signed;
    assert.equal(second.signed[0]!.signatures, 2, 'the second bundle is appended');
    // The referrers tag schema index lists both, as cosign's BUNDLE_SPEC.md describes; the referrer is cosign's layout.
    const index = await rawGet(plain.url, `app/signed/manifests/${img.digest.replace(':', '-')}`);
    assert.equal(index.status, 200);
    assert.deepEqual(index.json.manifests.map((m: any) => [m.digest, m.artifactType]), [
      [signed.signed[0]!.signatureManifest, 'application/vnd.dev.sigstore.bundle.v0.3+json'],
      [second.signed[0]!.signatureManifest, 'application/vnd.dev.sigstore.bundle.v0.3+json'],
    ]);
    const referrer = await rawGet(plain.url, `app/signed/manifests/${signed.signed[0]!.signatureManifest}`);
    assert.equal(referrer.json.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.deepEqual(referrer.json.subject, { mediaType: img.mediaType, size: img.size, digest: img.digest });
    assert.equal(referrer.json.layers.length, 1);
    assert.equal(referrer.json.layers[0].mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(referrer.json.annotations['dev.sigstore.bundle.predicateType'], 'https://sigstore.dev/cosign/sign/v1');
    // No .sig tag was written: the bundle is the only format.
    const tags = (await rawGet(plain.url, 'app/signed/tags/list')).json.tags as string[];
    assert.ok(!tags.some((t) => t.endsWith('.sig')), tags.join(' '));

    const verified = await ok('verify', image, '--key', join(dir, 'cosign.pub'), '--format', 'json');
    const result = JSON.parse(verified.stdout) as { trusted: boolean; signatures: { format: string; valid: boolean; reason?: string; location: string }[] };
    assert.equal(result.trusted, true);
    assert.deepEqual(result.signatures.map((s) => [s.format, s.location, s.valid]), [
      ['bundle', signed.signed[0]!.signatureManifest, true],
      ['bundle', second.signed[0]!.signatureManifest, false],
    ]);
    assert.match(result.signatures[1]!.reason!, /^wrong key/);
    // -a: only the bundle carrying the claim satisfies
    const claim = await runCli(['verify', image, '--key', join(dir, 'cosign.pub'), '--key', join(dir, 'other.pub'), '-a', 'env=prod'], home.env);
    assert.equal(claim.code, 0, claim.stderr);
    assert.match(claim.stdout, /bundle .*valid/);
    const text = await runCli(['verify', image, '--key', join(dir, 'other.pub'), '-a', 'env=dev'], home.env);
    assert.equal(text.code, 7);
    assert.match(text.stdout + text.stderr, /annotations: env=dev/);
  });

  test('with the referrers API: sign --bundle is listed by the API (no referrers tag), both formats verify side by side', async () => {
    const img = await seedImage({ url: backed.url }, 'app/api', '1', { mediaType: 'oci' });
    const image = `${api.host}/app/api:1`;
    await ok('sign', image, '--key', join(dir, 'cosign.key'), '--bundle');
    await ok('sign', image, '--key', join(dir, 'cosign.key')); // the tag-based form too
    const tags = (await rawGet(backed.url, 'app/api/tags/list')).json.tags as string[];
    assert.ok(!tags.includes(img.digest.replace(':', '-')), 'no referrers tag where the registry has the API');
    const listed = await rawGet(api.url, `app/api/referrers/${img.digest}`);
    assert.deepEqual(listed.json.manifests.map((m: any) => m.artifactType), ['application/vnd.dev.sigstore.bundle.v0.3+json']);
    const result = JSON.parse((await ok('verify', image, '--key', join(dir, 'cosign.pub'), '--format', 'json')).stdout) as { signatures: { format: string; valid: boolean }[] };
    assert.deepEqual(result.signatures.map((s) => [s.format, s.valid]).sort(), [['bundle', true], ['simplesigning', true]]);
    const refused = await runCli(['verify', image, '--key', join(dir, 'other.pub')], home.env);
    assert.equal(refused.code, 7, 'another key: not trusted');
  });

  test('a message-signature bundle over the manifest bytes verifies with its key; one over other bytes is a digest mismatch', async () => {
    const img = await seedImage({ url: plain.url }, 'app/message', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/message:1`;
    const key = await readPrivateKey(await readFile(join(dir, 'cosign.key'), 'utf8'), 'pw', 'cosign.key');
    const messageBundle = (bytes: Buffer) => ({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: keyHint(createPublicKey(key)) } },
      messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(bytes).digest('base64') }, signature: sign('sha256', bytes, key).toString('base64') },
    });
    const good = await attachBundle(home, image, messageBundle(img.manifest), 'https://sigstore.dev/cosign/sign/v1');
    const other = await attachBundle(home, image, messageBundle(Buffer.from('{"other":"manifest"}')), 'https://sigstore.dev/cosign/sign/v1');
    const r = await ok('verify', image, '--key', join(dir, 'cosign.pub'), '--format', 'json');
    const checks = (JSON.parse(r.stdout) as { signatures: { location: string; valid: boolean; reason?: string }[] }).signatures;
    assert.deepEqual(checks.map((c) => [c.location, c.valid]), [[good, true], [other, false]]);
    assert.match(checks[1]!.reason!, /^digest mismatch/);
  });

  test('unreadable bundle referrers are refused as malformed, naming why; a valid one beside them still verifies', async () => {
    await seedImage({ url: plain.url }, 'app/hostile', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/hostile:1`;
    const notJson = await withContext(home, async (ctx) => {
      const location = parseLocation(image);
      const src = await location.openSource(ctx);
      const d = await src.target.resolve();
      await src.close();
      const dst = await location.openDestination(ctx, {});
      try {
        return (await writeTo(dst.target, (t) => pushBundle(t, { mediaType: d.mediaType, digest: d.digest, size: d.size }, Buffer.from('not json'), 'https://sigstore.dev/cosign/sign/v1', new Date()))).digest;
      } finally {
        await dst.close();
      }
    });
    const bundleFile = join(dir, 'b.json');
    await writeFile(bundleFile, '{}');
    const wrongLayer = (await ok('attach', image, '--artifact-type', 'application/vnd.dev.sigstore.bundle.v0.3+json', bundleFile)).stdout.trim();
    await ok('sign', image, '--key', join(dir, 'cosign.key'), '--bundle');
    const r = await ok('verify', image, '--key', join(dir, 'cosign.pub'), '--format', 'json');
    const checks = (JSON.parse(r.stdout) as { signatures: { location: string; valid: boolean; reason?: string }[] }).signatures;
    const byLocation = new Map(checks.map((c) => [c.location, c]));
    assert.match(byLocation.get(notJson)?.reason ?? '', /^malformed: /);
    assert.match(byLocation.get(wrongLayer)?.reason ?? '', /^malformed: no bundle layer/);
    assert.equal(checks.filter((c) => c.valid).length, 1);
  });

  test('sign --bundle --recursive: a bundle for the index and for each platform, each verified for its own digest', async () => {
    const index = await seedIndex({ url: plain.url }, 'app/multi', '1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const signed = JSON.parse((await ok('sign', `${plain.host}/app/multi:1`, '--key', join(dir, 'cosign.key'), '--bundle', '--recursive', '--format', 'json')).stdout) as { signed: { digest: string; format: string }[] };
    assert.deepEqual(signed.signed.map((s) => [s.digest, s.format]), [[index.digest, 'bundle'], ...index.manifests.map((m) => [m.digest, 'bundle'])]);
    for (const digest of [index.digest, ...index.manifests.map((m) => m.digest)]) {
      const r = JSON.parse((await ok('verify', `${plain.host}/app/multi@${digest}`, '--key', join(dir, 'cosign.pub'), '--format', 'json')).stdout) as { signatures: { format: string; valid: boolean }[] };
      assert.deepEqual(r.signatures.map((c) => [c.format, c.valid]), [['bundle', true]], `${digest}: its own bundle only`);
    }
  });

  test('copy --referrers carries the bundle to a registry with the referrers API, where it still verifies', async () => {
    await seedImage({ url: plain.url }, 'app/mirror', '1', { mediaType: 'oci' });
    await ok('sign', `${plain.host}/app/mirror:1`, '--key', join(dir, 'cosign.key'), '--bundle');
    await ok('copy', `${plain.host}/app/mirror:1`, `${api.host}/mirror/app:1`, '--referrers');
    const r = JSON.parse((await ok('verify', `${api.host}/mirror/app:1`, '--key', join(dir, 'cosign.pub'), '--format', 'json')).stdout) as { signatures: { format: string; valid: boolean }[] };
    assert.deepEqual(r.signatures.map((c) => [c.format, c.valid]), [['bundle', true]]);
  });

  test('an OCI layout: sign --bundle (no --identity needed: a bundle names the digest only) and verify --key', async () => {
    await seedImage({ url: plain.url }, 'app/layout', '1', { mediaType: 'oci' });
    const layout = `oci:${join(dir, 'layout')}:1`;
    await ok('copy', `${plain.host}/app/layout:1`, layout);
    const signed = await ok('sign', layout, '--key', join(dir, 'cosign.key'), '--bundle');
    assert.match(signed.stdout, /signed \(bundle referrer sha256:[0-9a-f]{64}: 1 bundle\)/);
    const v = await ok('verify', layout, '--key', join(dir, 'cosign.pub'));
    assert.match(v.stdout, /^bundle .*valid/m);
    assert.equal((await runCli(['verify', layout, '--key', join(dir, 'other.pub')], home.env)).code, 7);
    assert.equal((await runCli(['sign', layout, '--key', join(dir, 'cosign.key')], home.env)).code, 2, 'the tag-based form still needs --identity on a layout');
  });

  test('verify keyless: a bundle from the test CA and log is accepted for its identity and issuer, refused with the reason otherwise', async () => {
    const img = await seedImage({ url: plain.url }, 'app/keyless', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/keyless:1`;
    await attachBundle(home, image, await bed.signDsse(inToto(img.digest, 'https://sigstore.dev/cosign/sign/v1', {})), 'https://sigstore.dev/cosign/sign/v1');
    const flags = ['--trusted-root', trustedRoot, '--certificate-oidc-issuer', TEST_ISSUER];
    const good = await ok('verify', image, ...flags, '--certificate-identity', TEST_IDENTITY);
    assert.match(good.stdout, new RegExp(`bundle .*${TEST_IDENTITY.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*valid`));
    const regexp = await runCli(['verify', image, ...flags, '--certificate-identity-regexp', '^https://github\\.com/example/'], home.env);
    assert.equal(regexp.code, 0, regexp.stderr);
    const wrong = await runCli(['verify', image, ...flags, '--certificate-identity', 'https://github.com/evil/x/.github/workflows/y.yml@refs/heads/main'], home.env);
    assert.equal(wrong.code, 7);
    assert.match(wrong.stdout + wrong.stderr, /identity: certificate identity/);
    const noRoot = await runCli(['verify', image, '--certificate-identity', TEST_IDENTITY, '--certificate-oidc-issuer', TEST_ISSUER], home.env);
    assert.equal(noRoot.code, 2, 'keyless flags without --trusted-root: a usage error');
    assert.match(noRoot.stderr, /--trusted-root/);
  });

  test('verify-attestation (installed regctl): prints the verified SLSA predicate, a template over it, exit 7 for a type with none', async () => {
    const img = await seedImage({ url: plain.url }, 'app/attested', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/attested:1`;
    const provenance = { buildDefinition: { buildType: 'https://example.test/build/v1', externalParameters: { ref: 'main' } } };
    await attachBundle(home, image, await bed.signDsse(inToto(img.digest, 'https://slsa.dev/provenance/v1', provenance)), 'https://slsa.dev/provenance/v1');
    // An attestation about another digest, attached to this image: refused (digest mismatch), not printed.
    await attachBundle(home, image, await bed.signDsse(inToto(`sha256:${'0'.repeat(64)}`, 'https://slsa.dev/provenance/v1', { forged: true })), 'https://slsa.dev/provenance/v1');
    const keyless = ['--trusted-root', trustedRoot, '--certificate-identity', TEST_IDENTITY, '--certificate-oidc-issuer', TEST_ISSUER];
    const r = await runInstalled(['verify-attestation', image, '--type', 'slsaprovenance', ...keyless], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown), [provenance]);
    assert.match(r.stderr, /verified https:\/\/slsa\.dev\/provenance\/v1 in bundle sha256:[0-9a-f]{64} by https:\/\/github\.com\/example/);
    assert.match(r.stderr, /refused https:\/\/slsa\.dev\/provenance\/v1 in bundle sha256:[0-9a-f]{64}: digest mismatch/);
    const t = await runInstalled(['verify-attestation', image, '--type', 'https://slsa.dev/provenance/v1', ...keyless, '--format', '{{.Predicate.buildDefinition.buildType}} {{.Signer}}'], home.env);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout, `https://example.test/build/v1 ${TEST_IDENTITY}\n`);
    const none = await runInstalled(['verify-attestation', image, '--type', 'cyclonedx', ...keyless], home.env);
    assert.equal(none.code, 7);
    assert.match(none.stderr, /no cyclonedx attestation found \(2 of other predicate types: https:\/\/slsa\.dev\/provenance\/v1\)/);
    const wrongIssuer = await runInstalled(['verify-attestation', image, '--type', 'slsaprovenance', '--trusted-root', trustedRoot, '--certificate-identity', TEST_IDENTITY, '--certificate-oidc-issuer', 'https://accounts.google.com'], home.env);
    assert.equal(wrongIssuer.code, 7);
    assert.match(wrongIssuer.stderr, /issuer: OIDC issuer/);
  });

  test('cosign\'s real attestation bundle attached to go-containerregistry\'s empty image (as cosign\'s test does) verifies through verify-attestation', async () => {
    const seeded = await seedManifest({ url: plain.url }, 'app/empty', 'latest', GGCR_EMPTY_MANIFEST, [GGCR_EMPTY_CONFIG]);
    assert.equal(seeded.digest, GGCR_EMPTY_DIGEST, 'the empty image rebuilt byte for byte');
    const image = `${plain.host}/app/empty:latest`;
    const fixture = join(FIXTURES, 'cosign-bundles');
    await attachBundle(home, image, JSON.parse(await readFile(join(fixture, 'oci-attestation.sigstore.json'), 'utf8')), 'https://cosign.sigstore.dev/attestation/v1');
    const flags = ['--trusted-root', join(fixture, 'trusted_root_pgi.json'), '--certificate-oidc-issuer', 'https://github.com/login/oauth'];
    const r = await ok('verify-attestation', image, '--type', 'custom', ...flags, '--certificate-identity', 'cody@soyland.com');
    assert.deepEqual(JSON.parse(r.stdout) as unknown, { Data: '{"foo": "bar"}\n', Timestamp: '2025-02-28T19:18:11Z' });
    assert.match(r.stderr, /verified https:\/\/cosign\.sigstore\.dev\/attestation\/v1 .* by cody@soyland\.com \(https:\/\/github\.com\/login\/oauth\) at 2025-02-28T19:18:11\.000Z/);
    const other = await runCli(['verify-attestation', image, '--type', 'custom', ...flags, '--certificate-identity', 'mallory@example.com'], home.env);
    assert.equal(other.code, 7);
    // It is an attestation, not a signature: verify does not count it.
    const sig = await runCli(['verify', image, ...flags, '--certificate-identity', 'cody@soyland.com'], home.env);
    assert.equal(sig.code, 7);
    assert.match(sig.stderr, /no signature/);
  });

  test('verifyAttestation (library): a key-signed SPDX attestation, its predicate and verdicts; another key is NotTrustedError', async () => {
    const img = await seedImage({ url: plain.url }, 'app/sbom', '1', { mediaType: 'oci' });
    const image = `${plain.host}/app/sbom:1`;
    const pem = await readFile(join(dir, 'cosign.key'), 'utf8');
    const key = await readPrivateKey(pem, 'pw', 'cosign.key');
    const spdx = { spdxVersion: 'SPDX-2.3', name: 'app' };
    const bundle = keyBundle(key, createPublicKey(key), img.digest, { predicateType: 'https://spdx.dev/Document/v2.3', predicate: spdx });
    await attachBundle(home, image, JSON.parse(bundle.toString()), 'https://spdx.dev/Document/v2.3');
    const r = await lib.verifyAttestation(image, { type: 'spdx', key: [join(dir, 'cosign.pub')], env: home.env, homedir: home.dir });
    assert.equal(r.digest, img.digest);
    assert.equal(r.attestations.length, 1);
    assert.equal(r.attestations[0]!.valid, true);
    assert.deepEqual(r.attestations[0]!.predicate, spdx);
    await assert.rejects(lib.verifyAttestation(image, { type: 'spdx', key: [join(dir, 'other.pub')], env: home.env, homedir: home.dir }),
      (err: unknown) => err instanceof lib.NotTrustedError && err.exitCode === 7 && /wrong key/.test(err.message));
    await assert.rejects(lib.verifyAttestation(image, { type: 'not a type', key: [join(dir, 'cosign.pub')], env: home.env, homedir: home.dir }),
      (err: unknown) => err instanceof lib.UsageError && err.option === 'type');
  });
});
