// docs/api is generated from the source by TypeDoc (`npm run docs`); a change to the public API without regenerating
// it fails here. Code examples are compared without their highlighting spans (TypeDoc numbers the colours in the
// order it meets tokens and merges neighbours of one colour, which varies between runs).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { spawnCapture } from './helpers/run-cli.js';

const REPO = resolve(import.meta.dirname, '..');
const DOCS = join(REPO, 'docs/api');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.filter((f) => f !== 'assets/highlight.css').sort();
}

const normalize = (html: string) => html.replace(/<span class="hl-\d+">|<\/span>/g, '');

test('docs/api is what TypeDoc generates from the source today (run npm run docs after changing the API)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'regctl-docs-'));
  try {
    const r = await spawnCapture('sh', ['-c', `cd "$0" && exec node node_modules/typedoc/bin/typedoc --out "$1"`, REPO, out], { ...process.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [want, have] = await Promise.all([files(out), files(DOCS)]);
    assert.deepEqual(have, want, 'the same pages');
    const stale: string[] = [];
    for (const f of want) {
      const [a, b] = await Promise.all([readFile(join(out, f), 'utf8'), readFile(join(DOCS, f), 'utf8')]);
      if (normalize(a) !== normalize(b)) stale.push(f);
    }
    assert.deepEqual(stale, [], 'pages that differ from the source');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
