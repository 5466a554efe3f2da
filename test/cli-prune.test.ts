import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedImage, seedManifest, tarLayer } from './helpers/seed.js';

const DAY = 86_400_000;
const hexOf = (digest: string) => digest.slice('sha256:'.length);

interface Repo {
  /** build-01 … build-30: build i created 31 - i days ago (build-30 is the newest). */
  builds: Map<string, string>;
  /** `rel-NN` siblings on the even builds 02 … 20; `keep-me` on build-03. */
  siblings: Map<string, string>;
  /** SBOMs attached (OCI subject; the registry keeps them in the referrers tag) to build-01 and build-29. */
  sbomPruned: string;
  sbomKept: string;
}

/**
 * A repository as a mirror has it: 30 builds, 10 release tags sharing their digests, `keep-me` on an old build,
 * cosign signatures of the newest and the oldest build, SBOMs attached to two builds: 43 tags in all.
 */
async function seedRepo(reg: RegistryHandle, home: Home, repo: string): Promise<Repo> {
  const builds = new Map<string, string>();
  const siblings = new Map<string, string>();
  const now = Date.now();
  for (let i = 1; i <= 30; i++) {
    const tag = `build-${String(i).padStart(2, '0')}`;
    const image = await seedImage({ url: reg.url }, repo, tag, { created: new Date(now - (31 - i) * DAY).toISOString(), layers: [tarLayer({ 'n.txt': tag })] });
    builds.set(tag, image.digest);
    if (i % 2 === 0 && i <= 20) {
      await seedManifest({ url: reg.url }, repo, `rel-${String(i).padStart(2, '0')}`, JSON.parse(image.manifest.toString()));
      siblings.set(`rel-${String(i).padStart(2, '0')}`, image.digest);
    }
  }
  await seedManifest({ url: reg.url }, repo, 'keep-me', JSON.parse((await runCli(['inspect', '--raw', `${reg.host}/${repo}:build-03`], home.env)).stdout));
  siblings.set('keep-me', builds.get('build-03')!);
  const signature = async (digest: string) => {
    const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': digest } } }));
    const config = Buffer.from('{}');
    const doc = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: blobDescriptor(config, 'application/vnd.oci.image.config.v1+json'),
      layers: [blobDescriptor(payload, 'application/vnd.dev.cosign.simplesigning.v1+json')],
    };
    return (await seedManifest({ url: reg.url }, repo, `sha256-${hexOf(digest)}.sig`, doc, [config, payload])).digest;
  };
  const sbom = async (tag: string) => {
    const file = join(home.dir, `${tag}.spdx.json`);
    await writeFile(file, JSON.stringify({ spdxVersion: 'SPDX-2.3', name: tag }));
    const r = await runCli(['attach', `${reg.host}/${repo}:${tag}`, '--artifact-type', 'application/spdx+json', file], home.env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  await signature(builds.get('build-01')!);
  await signature(builds.get('build-30')!);
  return { builds, siblings, sbomPruned: await sbom('build-01'), sbomKept: await sbom('build-29') };
}

describe('regctl prune (issue 16 §3) on the real registry', () => {
  let reg: RegistryHandle;
  let home: Home;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  const cli = (...args: string[]) => runCli(args, home.env);
  const tagList = async (repo: string) => (await cli('tags', `${reg.host}/${repo}`)).stdout.split('\n').filter(Boolean).sort();
  const digestOf = async (ref: string) => {
    const r = await cli('digest', ref);
    return r.code === 0 ? r.stdout.trim() : `exit ${r.code}`;
  };

  test('without --yes (and with --dry-run) prune plans and writes nothing: no DELETE, PUT, POST or PATCH reaches the registry', async () => {
    await seedRepo(reg, home, 'plan/app');
    const before = await tagList('plan/app');
    const proxy = await startProxy(reg.url);
    try {
      const plan = await cli('prune', `${proxy.host}/plan/app`, '--keep', '5', '--delete-untagged', '--with-signatures');
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /^build-06\s+\S+\s+\S+\s+DELETE/m);
      assert.match(plan.stdout, /^build-01\s+\S+\s+\S+\s+DELETE/m);
      assert.match(plan.stdout, /^build-26\s+\S+\s+\S+\s+keep\s+newest 5/m);
      assert.match(plan.stderr, /dry run, nothing deleted \(add --yes to delete\)/);
      const dry = await cli('prune', `${proxy.host}/plan/app`, '--keep', '5', '--dry-run', '--format', 'json');
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(JSON.parse(dry.stdout).dryRun, true);
      const writes = proxy.requests.filter((q) => !/^(GET|HEAD) /.test(q));
      assert.deepEqual(writes, []);
    } finally {
      await proxy.stop();
    }
    assert.deepEqual(await tagList('plan/app'), before);
  });

  test('--keep 5 --yes deletes exactly the planned tags; sibling tags on the same digests and every signature stay', async () => {
    const repo = await seedRepo(reg, home, 'keep/app');
    const planned = JSON.parse((await cli('prune', `${reg.host}/keep/app`, '--keep', '5', '--keep-tag', '^keep-', '--format', 'json')).stdout) as { tags: Array<{ tag: string; decision: string }> };
    const toDelete = planned.tags.filter((t) => t.decision === 'delete').map((t) => t.tag).sort();
    // the 5 newest builds stay; every older build and release tag goes, except keep-me
    assert.deepEqual(toDelete, [...[...repo.builds.keys()].filter((t) => Number(t.slice(6)) <= 25), ...[...repo.siblings.keys()].filter((t) => t.startsWith('rel-'))].sort());
    const before = await tagList('keep/app');
    const r = await cli('prune', `${reg.host}/keep/app`, '--keep', '5', '--keep-tag', '^keep-', '--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /35 tags deleted, 6 kept/);
    assert.deepEqual(await tagList('keep/app'), before.filter((t) => !toDelete.includes(t)));
    // keep-me still names build-03's image, which prune untagged but did not delete
    assert.equal(await digestOf(`${reg.host}/keep/app:keep-me`), repo.builds.get('build-03'));
    assert.equal(await digestOf(`${reg.host}/keep/app@${repo.builds.get('build-10')}`), repo.builds.get('build-10'), 'without --delete-untagged manifests stay');
    for (const t of before.filter((x) => x.startsWith('sha256-'))) assert.ok((await tagList('keep/app')).includes(t), `${t} stays`);
  });

  test('--delete-untagged --with-signatures deletes manifests that lost their last tag with their signatures and SBOMs, never those of tagged images', async () => {
    const repo = await seedRepo(reg, home, 'sigs/app');
    const r = await cli('prune', `${reg.host}/sigs/app`, '--keep', '5', '--keep-tag', '^keep-', '--delete-untagged', '--with-signatures', '--yes');
    assert.equal(r.code, 0, r.stderr);
    const tags = await tagList('sigs/app');
    const b = (n: string) => repo.builds.get(`build-${n}`)!;
    // build-01 is gone with its cosign signature, its SBOM and the referrers tag listing that SBOM
    assert.equal(await digestOf(`${reg.host}/sigs/app@${b('01')}`), 'exit 3');
    assert.ok(!tags.includes(`sha256-${hexOf(b('01'))}.sig`));
    assert.ok(!tags.includes(`sha256-${hexOf(b('01'))}`));
    assert.equal(await digestOf(`${reg.host}/sigs/app@${repo.sbomPruned}`), 'exit 3');
    // build-30 (kept) keeps its signature; build-29 (kept) its SBOM; build-03 (keep-me) its manifest
    assert.ok(tags.includes(`sha256-${hexOf(b('30'))}.sig`));
    assert.ok(tags.includes(`sha256-${hexOf(b('29'))}`));
    assert.equal(await digestOf(`${reg.host}/sigs/app@${repo.sbomKept}`), repo.sbomKept);
    assert.equal(await digestOf(`${reg.host}/sigs/app:keep-me`), b('03'));
    // a build sharing its digest with a release tag: both tags went, and the manifest with them
    assert.equal(await digestOf(`${reg.host}/sigs/app@${b('10')}`), 'exit 3');
    assert.match(r.stderr, /of blobs freed/);
  });

  test('--older-than keeps what is newer (by the image config\'s created), --match limits the tags considered', async () => {
    await seedRepo(reg, home, 'age/app');
    const r = await cli('prune', `${reg.host}/age/app`, '--older-than', '20d12h', '--match', '^build-', '--yes', '-q');
    assert.equal(r.code, 0, r.stderr);
    const tags = await tagList('age/app');
    const builds = tags.filter((t) => t.startsWith('build-'));
    // build-01 … build-10 were created 30 … 21 days ago: older than 20 days (half a day either side of the cut)
    assert.deepEqual(builds, Array.from({ length: 20 }, (_, i) => `build-${String(i + 11).padStart(2, '0')}`));
    assert.equal(tags.filter((t) => t.startsWith('rel-')).length, 10, 'not matched: kept');
  });

  test('--format takes a template over the report', async () => {
    for (const tag of ['1', '2', '3']) await seedImage({ url: reg.url }, 'tpl/app', tag, { created: `2024-01-0${tag}T00:00:00Z`, layers: [] });
    const r = await cli('prune', `${reg.host}/tpl/app`, '--keep', '1', '--format', '{{.DryRun}} {{.Deleted}}/{{.Kept}}{{range .Tags}} {{.Tag}}={{.Decision}}{{end}}');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'true 2/1 3=keep 2=delete 1=delete\n');
  });

  test('a prune that names no rule, or signatures without deleting manifests, is a usage error (exit 2)', async () => {
    const none = await cli('prune', `${reg.host}/none/app`, '--yes');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /say what to prune: --keep, --older-than, --match or --semver/);
    const sigs = await cli('prune', `${reg.host}/none/app`, '--keep', '1', '--with-signatures');
    assert.equal(sigs.code, 2);
    assert.match(sigs.stderr, /--with-signatures removes the signatures of manifests that are deleted: give --delete-untagged too/);
    const regex = await cli('prune', `${reg.host}/none/app`, '--keep', '1', '--keep-tag', '[');
    assert.equal(regex.code, 2);
    assert.match(regex.stderr, /--keep-tag: invalid regular expression "\["/);
    const age = await cli('prune', `${reg.host}/none/app`, '--older-than', 'soon');
    assert.equal(age.code, 2);
  });
});
