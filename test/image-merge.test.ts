// The merged filesystem of layers (export, flatten) and config edits (mutate): tables of layer stacks and edits.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { extract } from 'tar-stream';
import { MemoryTarget } from '../src/content/memory.js';
import { applyConfigChanges } from '../src/image/config-edit.js';
import { mergeLayers } from '../src/image/merge-layers.js';
import { readAll } from './helpers/bytes.js';
import { editImage } from '../src/image/edit-image.js';
import { REFERENCE_DIGEST, REFERENCE_TYPE } from '../src/oci/manifest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../src/oci/media-types.js';
import { makeImage, makeLayer, memoryWith, type TarEntry } from './helpers/images.js';

/** What a user extracting the merged tar gets: `name type [body|-> link]`, in tar order. */
async function merged(stack: TarEntry[][], zstd = false): Promise<string[]> {
  const mem = new MemoryTarget();
  const layers = [];
  for (const entries of stack) {
    const l = await makeLayer(entries, { zstd });
    mem.putBlob(l.blob, l.desc.mediaType);
    layers.push(l.desc);
  }
  const dir = await mkdtemp(join(tmpdir(), 'regctl-merge-'));
  try {
    const tar = await readAll(await mergeLayers(mem.source('x'), layers, dir));
    const out: string[] = [];
    const ex = extract();
    Readable.from([tar]).pipe(ex as unknown as NodeJS.WritableStream);
    for await (const e of ex) {
      const h = e.header;
      const body = (await readAll(e as unknown as AsyncIterable<Buffer>)).toString();
      out.push(`${h.name} ${h.type}${h.type === 'file' ? ` ${body}` : ''}${h.linkname ? ` -> ${h.linkname}` : ''}`);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const dir = (name: string): TarEntry => ({ name, type: 'directory', mode: 0o755 });
const file = (name: string, body: string): TarEntry => ({ name, body });

test('merging layers: upper entries win, whiteouts and opaque directories hide what lies below', async () => {
  const cases: Array<[string, TarEntry[][], string[]]> = [
    ['an upper file replaces a lower one', [[file('a', '1')], [file('a', '2')]], ['a file 2']],
    ['a whiteout removes a file', [[file('a', '1'), file('b', '1')], [file('.wh.a', '')]], ['b file 1']],
    ['a whiteout of a directory removes its contents', [[dir('d/'), file('d/x', '1'), file('e', '1')], [file('.wh.d', '')]], ['e file 1']],
    ['an opaque directory hides lower contents but keeps its own', [[dir('d/'), file('d/old', '1')], [dir('d/'), file('d/.wh..wh..opq', ''), file('d/new', '2')]], ['d/ directory', 'd/new file 2']],
    ['a file replacing a directory hides its contents', [[dir('d/'), file('d/x', '1')], [file('d', 'now a file')]], ['d file now a file']],
    ['a whiteout hides only lower layers, not a later file of the same layer', [[file('a', '1')], [file('.wh.a', ''), file('a', '3')]], ['a file 3']],
    ['hard links come after the files they name, and ./ names are normalized', [[file('./t', 'x'), { name: './l', type: 'link', linkname: './t' }]], ['t file x', 'l link -> t']],
    ['a hard link to a whited-out file is left out', [[file('t', 'x'), { name: 'l', type: 'link', linkname: 't' }], [file('.wh.t', '')]], []],
    ['names leaving the root stay inside it (as umoci\'s securejoin does)', [[file('../../evil', 'x'), file('/abs', 'y')]], ['evil file x', 'abs file y']],
    ['the last of two entries of one layer wins', [[file('a', '1'), file('a', '2')]], ['a file 2']],
  ];
  for (const [what, stack, want] of cases) assert.deepEqual(await merged(stack), want, what);
});

test('merging zstd layers gives the same filesystem', async () => {
  assert.deepEqual(await merged([[dir('d/'), file('d/x', '1')], [file('d/.wh.x', ''), file('d/y', '2')]], true), ['d/ directory', 'd/y file 2']);
});

test('config edits: labels and env set and removed in place, ports, entrypoint cleared, created', () => {
  const config = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin', 'A=1', 'B=2'], Labels: { keep: '1', drop: '2' }, Entrypoint: ['/x'] }, rootfs: { type: 'layers', diff_ids: [] } };
  const out = applyConfigChanges(config, {
    env: { A: 'changed', C: '3' },
    removeEnv: ['B'],
    labels: { added: 'yes' },
    removeLabels: ['drop'],
    entrypoint: [],
    expose: ['80', '53/udp'],
    created: new Date('2025-01-02T03:04:05.678Z'),
  });
  assert.deepEqual(out.config, {
    Env: ['PATH=/bin', 'A=changed', 'C=3'],
    Labels: { keep: '1', added: 'yes' },
    Entrypoint: null,
    ExposedPorts: { '80/tcp': {}, '53/udp': {} },
  });
  assert.equal(out.created, '2025-01-02T03:04:05Z');
  assert.deepEqual(config.config.Env, ['PATH=/bin', 'A=1', 'B=2'], 'the input is not modified');
  assert.throws(() => applyConfigChanges(config, { expose: ['http'] }), { code: 'ERR_USAGE' });
  assert.throws(() => applyConfigChanges(config, { env: { '': 'x' } }), { code: 'ERR_USAGE' });
});

test('an edited index keeps the other platforms\' entries as they were and drops the attestations of changed images', async () => {
  const layer = await makeLayer([file('a', '1')]);
  const amd = makeImage([layer]);
  const arm = makeImage([layer], { arch: 'arm64' });
  const mem = memoryWith(amd, arm);
  const attestation = mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: amd.configDesc, layers: [] });
  const index = mem.putManifest({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { ...amd.desc, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.desc, platform: { os: 'linux', architecture: 'arm64' } },
      { ...attestation, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { [REFERENCE_TYPE]: 'attestation-manifest', [REFERENCE_DIGEST]: amd.desc.digest } },
    ],
  });
  const edited = await editImage(mem.source(index.digest), async ({ manifest, config }) => ({ manifest, config: applyConfigChanges(config, { labels: { x: 'y' } }) }), {
    platform: { os: 'linux', architecture: 'amd64' },
  });
  const top = await edited.resolve();
  const doc = JSON.parse((await edited.fetchManifest(top)).toString());
  assert.equal(doc.manifests.length, 2, 'the attestation of the changed image is gone');
  assert.notEqual(doc.manifests[0].digest, amd.desc.digest);
  assert.equal(doc.manifests[1].digest, arm.desc.digest, 'arm64 is kept as it was');
  const changed = JSON.parse((await edited.fetchManifest(doc.manifests[0])).toString());
  const { stream } = await edited.fetchBlob(changed.config);
  assert.equal(JSON.parse((await readAll(stream)).toString()).config.Labels.x, 'y');
});
