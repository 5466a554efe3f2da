import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startProxy } from './helpers/proxy.js';
import { startReferrersProxy, type ReferrersProxyHandle } from './helpers/referrers-proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedImage, seedManifest, type SeededImage } from './helpers/seed.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SPDX = 'application/spdx+json';
const CYCLONEDX = 'application/vnd.cyclonedx+json';
const tagOf = (digest: string) => digest.replace(':', '-');

/** GET a manifest straight from a registry (not through regctl): status, media type and JSON. */
async function rawManifest(url: string, repo: string, ref: string): Promise<{ status: number; type: string; doc: any }> {
  const res = await request(`${url}/v2/${repo}/manifests/${ref}`, { headers: { accept: `${OCI_INDEX}, ${OCI_MANIFEST}` } });
  const text = await res.body.text();
  return { status: res.statusCode, type: String(res.headers['content-type']), doc: res.statusCode === 200 ? JSON.parse(text) : undefined };
}

async function rawTags(url: string, repo: string): Promise<string[]> {
  const res = await request(`${url}/v2/${repo}/tags/list`);
  return ((await res.body.json()) as { tags: string[] }).tags.sort();
}

/** A referrers tree (from `--format json`) as `type digest` lines, nested by indentation, for comparison. */
function shape(tree: any, indent = ''): string[] {
  return tree.referrers.flatMap((r: any) => [`${indent}${r.artifactType ?? r.mediaType} ${r.digest}${r.tag ? ` ${r.tag}` : ''}`, ...shape(r, `${indent}  `)]);
}

describe('referrers, signatures and attestations', () => {
  let a: RegistryHandle; // source; distribution 2.8: no referrers API
  let b: RegistryHandle; // destination without the API
  let c: RegistryHandle; // destination behind the referrers API fixture
  let api: ReferrersProxyHandle;
  let home: Home;
  let dir: string;
  let amd: SeededImage;
  let arm: SeededImage;
  let index: { digest: string };
  let attestations: string[];
  let signature: string;
  let sbom: string;
  let cyclonedx: string;
  let sbomSignature: string;
  let vex: string;

  const cli = (...args: string[]) => runCli(args, home.env);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    [a, b, c] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
    api = await startReferrersProxy(c.url, { pageSize: 1 });
    home = await makeHome();
    dir = await mkdtemp(join(tmpdir(), 'regctl-referrers-'));
    // A BuildKit-style index: two platform images and an attestation manifest for each (unknown/unknown).
    amd = await seedImage({ url: a.url }, 'src/app', 'amd64', { mediaType: 'oci' });
    arm = await seedImage({ url: a.url }, 'src/app', 'arm64', { mediaType: 'oci', platform: { os: 'linux', architecture: 'arm64' } });
    attestations = [];
    const entries: object[] = [];
    for (const [image, platform] of [[amd, { os: 'linux', architecture: 'amd64' }], [arm, { os: 'linux', architecture: 'arm64' }]] as const) {
      entries.push({ mediaType: OCI_MANIFEST, digest: image.digest, size: image.size, platform });
    }
    for (const image of [amd, arm]) {
      const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject: [{ digest: image.digest }] }));
      const config = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [] } }));
      const att = await seedManifest({ url: a.url }, 'src/app', undefined, {
        mediaType: OCI_MANIFEST, schemaVersion: 2,
        config: blobDescriptor(config, 'application/vnd.oci.image.config.v1+json'),
        layers: [blobDescriptor(statement, 'application/vnd.in-toto+json', { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' })],
      } as { mediaType: string }, [config, statement]);
      attestations.push(att.digest);
      entries.push({
        mediaType: OCI_MANIFEST, digest: att.digest, size: att.size, platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      });
    }
    index = await seedManifest({ url: a.url }, 'src/app', '1', { mediaType: OCI_INDEX, schemaVersion: 2, manifests: entries } as { mediaType: string });
    // A cosign signature: a plain manifest under the digest tag sha256-<hex>.sig (no subject).
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': index.digest } } }));
    const sigConfig = Buffer.from('{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}');
    signature = (await seedManifest({ url: a.url }, 'src/app', `${tagOf(index.digest)}.sig`, {
      mediaType: OCI_MANIFEST, schemaVersion: 2,
      config: blobDescriptor(sigConfig, 'application/vnd.oci.image.config.v1+json'),
      layers: [blobDescriptor(payload, 'application/vnd.dev.cosign.simplesigning.v1+json', { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' })],
    } as { mediaType: string }, [sigConfig, payload])).digest;
    // Artifacts attached with regctl itself: two SBOMs of the index, a signature of an SBOM, a VEX of one platform.
    const file = async (name: string, text: string) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
    const attach = async (image: string, type: string, path: string) => (await ok('attach', image, '--artifact-type', type, path)).trim();
    sbom = await attach(`${a.host}/src/app:1`, SPDX, await file('sbom.spdx.json', '{"spdxVersion":"SPDX-2.3"}'));
    cyclonedx = await attach(`${a.host}/src/app:1`, CYCLONEDX, await file('bom.json', '{"bomFormat":"CycloneDX"}'));
    sbomSignature = await attach(`${a.host}/src/app@${sbom}`, 'application/vnd.example.signature', await file('sbom.sig', 'signed'));
    vex = await attach(`${a.host}/src/app@${amd.digest}`, 'application/vnd.openvex+json', await file('vex.json', '{"statements":[]}'));
  });
  after(async () => {
    await api.stop();
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('attach on a registry without the referrers API writes the referrers tag index the spec describes', async () => {
    const listing = await rawManifest(a.url, 'src/app', tagOf(index.digest));
    assert.equal(listing.status, 200);
    assert.equal(listing.doc.mediaType, OCI_INDEX);
    assert.deepEqual(listing.doc.manifests.map((m: any) => [m.digest, m.mediaType, m.artifactType]), [[sbom, OCI_MANIFEST, SPDX], [cyclonedx, OCI_MANIFEST, CYCLONEDX]]);
    assert.match(listing.doc.manifests[0].annotations['org.opencontainers.image.created'], /^\d{4}-\d\d-\d\dT/, 'the manifest\'s annotations are copied');
    const artifact = await rawManifest(a.url, 'src/app', sbom);
    assert.equal(artifact.doc.artifactType, SPDX);
    assert.deepEqual(artifact.doc.subject, { mediaType: OCI_INDEX, digest: index.digest, size: artifact.doc.subject.size });
    assert.equal(artifact.doc.config.mediaType, 'application/vnd.oci.empty.v1+json');
    assert.equal(artifact.doc.layers[0].annotations['org.opencontainers.image.title'], 'sbom.spdx.json');
    // The registry's referrers index of the SBOM lists its signature: referrers of referrers are recorded too.
    const ofSbom = await rawManifest(a.url, 'src/app', tagOf(sbom));
    assert.deepEqual(ofSbom.doc.manifests.map((m: any) => m.digest), [sbomSignature]);
  });

  test('referrers falls back to the tag schema on a 404 and lists cosign tags, recursively', async () => {
    const spy = await startProxy(a.url);
    try {
      const tree = JSON.parse(await ok('referrers', '--format', 'json', `${spy.host}/src/app:1`));
      assert.equal(tree.subject.digest, index.digest);
      assert.deepEqual(shape(tree), [
        `${SPDX} ${sbom}`,
        `  application/vnd.example.signature ${sbomSignature}`,
        `${CYCLONEDX} ${cyclonedx}`,
        `application/vnd.oci.image.config.v1+json ${signature} ${tagOf(index.digest)}.sig`,
      ]);
      assert.ok(spy.requests.includes(`GET /v2/src/app/referrers/${index.digest}`), 'the referrers API is tried first');
      assert.ok(spy.requests.includes(`GET /v2/src/app/manifests/${tagOf(index.digest)}`), 'then the referrers tag');
      const text = await ok('referrers', `${a.host}/src/app:1`);
      assert.match(text, new RegExp(`^├── ${SPDX.replace('+', '\\+')}  ${sbom}  \\(\\d+B\\)$`, 'm'));
      assert.match(text, new RegExp(`^│   └── application/vnd.example.signature  ${sbomSignature}`, 'm'));
      assert.match(text, new RegExp(`└── .* \\(.*tag ${tagOf(index.digest)}\\.sig\\)$`, 'm'));
    } finally {
      await spy.stop();
    }
  });

  test('--artifact-type keeps only referrers of that type', async () => {
    const tree = JSON.parse(await ok('referrers', '--format', 'json', '--artifact-type', CYCLONEDX, `${a.host}/src/app:1`));
    assert.deepEqual(shape(tree), [`${CYCLONEDX} ${cyclonedx}`]);
  });

  test('inspect shows attestations under the image they attest, not as unknown/unknown platforms', async () => {
    const text = await ok('inspect', `${a.host}/src/app:1`);
    assert.doesNotMatch(text, /unknown/);
    assert.match(text, new RegExp(`linux/amd64 +${amd.digest}.*\\n    attestation +${attestations[0]}`));
    assert.match(text, new RegExp(`linux/arm64 +${arm.digest}.*\\n    attestation +${attestations[1]}`));
    const json = JSON.parse(await ok('inspect', '--format', 'json', `${a.host}/src/app:1`));
    assert.deepEqual(json.manifests.map((m: any) => m.attestationOf ?? null), [null, null, amd.digest, arm.digest]);
  });

  test('copy without --referrers leaves signatures and SBOMs behind (the default, like regclient)', async () => {
    await ok('copy', '-q', `${a.host}/src/app:1`, `${b.host}/plain/app:1`);
    assert.deepEqual(await rawTags(b.url, 'plain/app'), ['1']);
  });

  test('copy --referrers to a registry without the API brings the signature tag, SBOMs, attestations and referrers of referrers', async () => {
    assert.equal((await ok('copy', '-q', '--referrers', `${a.host}/src/app:1`, `${b.host}/dst/app:1`)).trim(), index.digest);
    assert.deepEqual(await rawTags(b.url, 'dst/app'), ['1', tagOf(amd.digest), tagOf(index.digest), `${tagOf(index.digest)}.sig`, tagOf(sbom)].sort());
    assert.equal((await rawManifest(b.url, 'dst/app', `${tagOf(index.digest)}.sig`)).status, 200);
    assert.equal((await ok('digest', `${b.host}/dst/app:${tagOf(index.digest)}.sig`)).trim(), signature);
    for (const d of [...attestations, sbom, cyclonedx, sbomSignature, vex]) assert.equal((await rawManifest(b.url, 'dst/app', d)).status, 200, d);
    assert.deepEqual((await rawManifest(b.url, 'dst/app', tagOf(amd.digest))).doc.manifests.map((m: any) => m.digest), [vex]);
    const there = JSON.parse(await ok('referrers', '--format', 'json', `${b.host}/dst/app:1`));
    const here = JSON.parse(await ok('referrers', '--format', 'json', `${a.host}/src/app:1`));
    assert.deepEqual(shape(there), shape(here));
    // Copied again: everything is there, so no manifest and no blob is sent.
    const spy = await startProxy(b.url);
    try {
      await ok('copy', '-q', '--referrers', `${a.host}/src/app:1`, `${spy.host}/dst/app:1`);
      assert.deepEqual(spy.requests.filter((r) => /^(PUT|POST|PATCH)/.test(r)), []);
    } finally {
      await spy.stop();
    }
  });

  test('sync --referrers mirrors a repository with its referrers; referrer tags travel with their images, not as images', async () => {
    const first = JSON.parse(await ok('sync', '-q', '--referrers', '--format', 'json', `${a.host}/src/app`, `${b.host}/synced/app`));
    assert.deepEqual(first.images.map((i: any) => i.destination).sort(), ['1', 'amd64', 'arm64'].map((t) => `${b.host}/synced/app:${t}`));
    assert.deepEqual(await rawTags(b.url, 'synced/app'), ['1', 'amd64', 'arm64', tagOf(amd.digest), tagOf(index.digest), `${tagOf(index.digest)}.sig`, tagOf(sbom)].sort());
    const here = JSON.parse(await ok('referrers', '--format', 'json', `${a.host}/src/app:1`));
    assert.deepEqual(shape(JSON.parse(await ok('referrers', '--format', 'json', `${b.host}/synced/app:1`))), shape(here));
    const spy = await startProxy(b.url);
    try {
      const again = JSON.parse(await ok('sync', '-q', '--referrers', '--format', 'json', `${a.host}/src/app`, `${spy.host}/synced/app`));
      assert.deepEqual(again.images.map((i: any) => i.status), ['skipped', 'skipped', 'skipped']);
      assert.deepEqual(spy.requests.filter((r) => /^(PUT|POST|PATCH)/.test(r)), [], 'a second run sends nothing');
    } finally {
      await spy.stop();
    }
  });

  test('copy --referrers to a registry with the referrers API pushes referrers without a referrers tag', async () => {
    await ok('copy', '-q', '--referrers', `${a.host}/src/app:1`, `${api.host}/dst/app:1`);
    assert.deepEqual(await rawTags(c.url, 'dst/app'), ['1', `${tagOf(index.digest)}.sig`], 'no referrers tag: the registry answered OCI-Subject');
    const there = JSON.parse(await ok('referrers', '--format', 'json', `${api.host}/dst/app:1`));
    const here = JSON.parse(await ok('referrers', '--format', 'json', `${a.host}/src/app:1`));
    assert.deepEqual(shape(there), shape(here));
    // Two referrers of the index on pages of one: the Link header was followed.
    assert.equal(api.requests.filter((r) => r.startsWith(`GET /v2/dst/app/referrers/${index.digest}`)).length >= 2, true);
    const filtered = JSON.parse(await ok('referrers', '--format', 'json', '--artifact-type', SPDX, `${api.host}/dst/app:1`));
    assert.ok(api.requests.includes(`GET /v2/dst/app/referrers/${index.digest}?artifactType=${encodeURIComponent(SPDX)}`));
    assert.deepEqual(shape(filtered), [`${SPDX} ${sbom}`, `  application/vnd.example.signature ${sbomSignature}`]);
  });

  test('referrers travel through an OCI layout: copy --referrers into it, list them there, copy them out', async () => {
    const layout = join(dir, 'layout');
    await ok('copy', '-q', '--referrers', `${a.host}/src/app:1`, `oci:${layout}:v1`);
    const inLayout = JSON.parse(await ok('referrers', '--format', 'json', `oci:${layout}:v1`));
    const here = JSON.parse(await ok('referrers', '--format', 'json', `${a.host}/src/app:1`));
    assert.deepEqual(shape(inLayout), shape(here));
    // The layout's one image is still found without a tag: referrer listings are not images.
    assert.equal((await ok('copy', '-q', `oci:${layout}`, `${b.host}/untagged/app:1`)).trim(), index.digest);
    await ok('copy', '-q', '--referrers', `oci:${layout}:v1`, `${b.host}/fromoci/app:1`);
    assert.deepEqual(shape(JSON.parse(await ok('referrers', '--format', 'json', `${b.host}/fromoci/app:1`))), shape(here));
  });

  test('a referrer added after a copy arrives with the next copy --referrers, though its subject is already there', async () => {
    // Its own source repository, so the referrers other tests copy stay as they expect.
    await ok('copy', '-q', `${a.host}/src/app:1`, `${a.host}/late/app:1`);
    await ok('copy', '-q', '--referrers', `${a.host}/late/app:1`, `${b.host}/late/app:1`);
    const path = join(dir, 'late.json');
    await writeFile(path, '{"late":true}');
    const late = (await ok('attach', `${a.host}/late/app@${arm.digest}`, '--artifact-type', 'application/vnd.example.late', path)).trim();
    await ok('copy', '-q', '--referrers', `${a.host}/late/app:1`, `${b.host}/late/app:1`);
    assert.deepEqual((await rawManifest(b.url, 'late/app', tagOf(arm.digest))).doc.manifests.map((m: any) => m.digest), [late]);
  });

  test('attach: a missing file is exit 3, a missing image exit 3, no --artifact-type a usage error', async () => {
    assert.equal((await cli('attach', `${a.host}/src/app:1`, '--artifact-type', SPDX, join(dir, 'nope'))).code, 3);
    const path = join(dir, 'x.json');
    await writeFile(path, '{}');
    assert.equal((await cli('attach', `${a.host}/src/app:nope`, '--artifact-type', SPDX, path)).code, 3);
    assert.equal((await cli('attach', `${a.host}/src/app:1`, path)).code, 2);
    assert.equal((await cli('attach', `docker-archive:${join(dir, 'x.tar')}`, '--artifact-type', SPDX, path)).code, 2);
  });

  test('attach and referrers take --creds on a registry that requires them', async () => {
    const locked = await startRegistry({ auth: 'htpasswd', users: { alice: 'secret' } });
    try {
      const authHeader = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
      const image = await seedImage({ url: locked.url, authHeader }, 'private/app', '1');
      const path = join(dir, 'private.json');
      await writeFile(path, '{}');
      assert.equal((await cli('attach', `${locked.host}/private/app:1`, '--artifact-type', SPDX, path)).code, 4, 'no credentials: refused');
      const artifact = (await ok('attach', '--creds', 'alice:secret', `${locked.host}/private/app:1`, '--artifact-type', SPDX, path)).trim();
      const tree = JSON.parse(await ok('referrers', '--creds', 'alice:secret', '--format', 'json', `${locked.host}/private/app:1`));
      assert.equal(tree.subject.digest, image.digest);
      assert.deepEqual(shape(tree), [`${SPDX} ${artifact}`]);
    } finally {
      await locked.stop();
    }
  });
});
