// Sigstore bundles: verification judged by other projects' data (sigstore-conformance's bundle-verify cases, GitHub
// attestation bundles from cli/cli's test data), keyless refusals against a trust domain of our own (@sigstore/mock),
// the cosign v3 referrer layout, and sign --bundle / verify / verify-attestation on the real registry.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyBundle } from '../src/trust/bundle-verify.js';
import { bundleManifest, keyBundle, keyHint } from '../src/trust/bundle-oci.js';
import { makeTestbed, TEST_IDENTITY, TEST_ISSUER } from './helpers/sigstore-testbed.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const CONFORMANCE = join(FIXTURES, 'sigstore-conformance/bundle-verify');
const PUBLIC_GOOD = JSON.parse(readFileSync(join(FIXTURES, 'sigstore-public-good/trusted_root.json'), 'utf8')) as unknown;
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

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
