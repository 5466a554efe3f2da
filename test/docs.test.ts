// The API reference (TypeDoc HTML) is built by `npm run docs` into docs/api/, which git ignores. This checks what
// would make it wrong: a TypeDoc warning (a broken {@link}, an exported type that refers to one not exported, …)
// fails the run (typedoc.json: treatWarningsAsErrors). Nothing is written (--emit none), and the type check is the
// build's (tsc), not repeated here (--skipErrorChecking).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO } from './helpers/package.js';
import { spawnCapture } from './helpers/run-cli.js';

test('TypeDoc documents the public API with no warning', async () => {
  const r = await spawnCapture('sh', ['-c', 'cd "$0" && exec node node_modules/typedoc/bin/typedoc --emit none --skipErrorChecking', REPO], { ...process.env, NO_COLOR: '1' });
  const output = r.stdout + r.stderr;
  assert.doesNotMatch(output, /\[warning\]|\[error\]/, output);
  assert.equal(r.code, 0, output);
});
