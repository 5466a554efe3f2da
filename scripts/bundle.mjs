// Bundles the CLI (tsc's dist/bin.js and everything it loads) into dist/bundle/, which bin/regctl.js runs.
// Part of `npm run build`, after tsc. Why: Node 20 resolves and loads each ES module file on its own, and
// undici's index.js loads all of undici (fetch, websocket, cookies, cache, mock, ...) to give regctl three names.
//
// - ESM with code splitting: each command stays behind its dynamic import, so `--version` parses only the CLI.
// - `undici` resolves to UNDICI_SUBSET below: Agent and EnvHttpProxyAgent from undici's own files. The build fails
//   if those files move or if src/ imports a name the subset does not export.
// - npm packages are bundled too; the optional native @napi-rs/keyring stays external (resolved from node_modules).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

// What regctl takes from undici (src/transport/dispatcher.ts), from undici's own files instead of its index.js,
// with the request API on every dispatcher as index.js does it. ESM on purpose: a name src/ imports from 'undici'
// that is missing here fails the build instead of being undefined at runtime.
const UNDICI_SUBSET = `
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import api from 'undici/lib/api/index.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'

Object.assign(Dispatcher.prototype, api)

export { Agent, EnvHttpProxyAgent }
`;

const undiciSubset = {
  name: 'undici-subset',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-subset', namespace: 'undici-subset' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-subset' }, () => ({ contents: UNDICI_SUBSET, loader: 'js', resolveDir: root }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { regctl: 'dist/bin.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@napi-rs/keyring'],
  plugins: [undiciSubset],
  // CommonJS packages (undici, commander, cli-table3, tar-stream) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __regctlCreateRequire } from 'node:module'; const require = __regctlCreateRequire(import.meta.url);" },
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
});
