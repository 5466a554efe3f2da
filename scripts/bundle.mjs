// Bundles the CLI (tsc's dist/bin.js and everything it loads) into dist/bundle/, which bin/regctl.cjs runs.
// Part of `npm run build`, after tsc. Why: Node 20 resolves, reads and links every ES module file on its own
// (~0.5-1 ms each), and undici's index.js loads all of undici (fetch, websocket, cache, mock, ...) for the two
// names regctl uses. CommonJS files loaded with require() skip the ES module loader altogether.
//
//   regctl.cjs   bin.js, cli.js and commander: all `--version` and `--help` load
//   lib.cjs      every module cli.js imports dynamically (the commands, ops/create-context), each initialised
//                only when required, through load(specifier)
//   shared.cjs   our modules that both of the above import statically (errors.js), so there is one RegctlError
//   <pkg>.cjs    each npm package on its own, loaded when first used; for undici only Agent and EnvHttpProxyAgent
//
// Each file then gets a first line `// regctl bundle sha256:HEX`, the hash of the rest of it: bin/regctl.cjs keys
// each file's V8 code cache on it (scripts/code-cache.mjs).
//
// The build fails rather than guess: on an npm package or a name not listed in PACKAGES, on a shared module that
// imports another of our modules, or if undici's files move.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'dist');
const outdir = resolve(dist, 'bundle');

// npm packages src/ imports, each built into its own CommonJS file whose module.exports is what Node itself would
// give an ES module importing it (the default import is module.exports, named imports are its properties). `names`
// are what src/ may import by name; `default` whether it imports the default. Checked against dist/ and the built
// files, so the build fails on a package, a name or a file of undici's that is not here.
const PACKAGES = {
  // Only what regctl takes from undici (src/transport/dispatcher.ts, connector.ts), from undici's own files instead of its
  // index.js, with the request API put on every dispatcher as index.js does it.
  undici: {
    names: ['Agent', 'EnvHttpProxyAgent', 'buildConnector'],
    contents: `
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js')
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'))
module.exports = {
  Agent: require('undici/lib/dispatcher/agent.js'),
  EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent.js'),
  buildConnector: require('undici/lib/core/connect.js')
}
`,
  },
  'tar-stream': { names: ['extract', 'pack'] },
  'cli-table3': { default: true },
  ora: { default: true, esm: true },
  chalk: { default: true, esm: true },
  yaml: { names: ['parse'] },
  semver: { default: true },
  re2js: { names: ['RE2JS'] },
  // NaCl secretbox for cosign's encrypted keys (src/trust/keys.ts); an ES module package, bundled into CommonJS.
  '@noble/ciphers/salsa.js': { names: ['xsalsa20poly1305'] },
  // Sigstore bundles (src/trust/bundle-verify.ts): verification and its formats.
  '@sigstore/bundle': { names: ['bundleFromJSON'] },
  '@sigstore/core': { names: ['RFC3161Timestamp'] },
  '@sigstore/protobuf-specs': { names: ['TrustedRoot'] },
  '@sigstore/verify': { names: ['PolicyError', 'VerificationError', 'Verifier', 'toSignedEntity', 'toTrustMaterial'] },
};
// commander goes into regctl.cjs; the optional (native) packages are required from node_modules when first used.
const EXTERNAL = ['@napi-rs/keyring', '@mongodb-js/zstd'];
// `@scope/pkg/sub.js` → `scope-pkg-sub.js.cjs`: one flat file name per package import.
const packageFile = (name) => `${name.replace(/^@/, '').replace(/[^\w.-]/g, '-')}.cjs`;
const packageSource = (name, pkg) =>
  pkg.contents ?? (pkg.esm ? `module.exports = require('${name}').default;\n` : `module.exports = require('${name}');\n`);

// util/version.js reads package.json next to dist/, and dist/build-info.json for the commit, at run time; the bundle
// gets both inlined instead. The commit is HEAD's (with -dirty when the work tree has changes), or unknown outside git.
const { version } = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8'));
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
let commit = 'unknown';
try {
  commit = git('rev-parse', '--short=12', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : '');
} catch {
  // not a git checkout (an npm tarball): unknown
}
await writeFile(resolve(dist, 'build-info.json'), `${JSON.stringify({ commit })}\n`);
const versionJs = resolve(dist, 'util/version.js');
const inlineVersion = {
  name: 'regctl-version',
  setup(b) {
    b.onLoad({ namespace: 'file', filter: /[\\/]util[\\/]version\.js$/ }, (args) =>
      args.path === versionJs
        ? { contents: `export function packageVersion() { return ${JSON.stringify(version)}; }\nexport function buildCommit() { return ${JSON.stringify(commit)}; }\n`, loader: 'js' }
        : undefined);
  },
};

// Node modules a package loads at start-up for a path regctl takes late or never, made to load on first use instead:
// undici's HTTP/2 client (regctl speaks HTTP/1.1; only http2.constants is read at load, so it is inlined here) and
// commander's child_process (for executable subcommands, which regctl has none of). ~1.2-1.5 ms each per command.
// The build fails if the text to replace is gone (the package changed): look again at what it loads.
const http2 = createRequire(import.meta.url)('node:http2');
const LAZY = [
  {
    file: /\/undici\/lib\/dispatcher\/client-h2\.js$/,
    from: "require('node:http2')",
    to: `{ constants: ${JSON.stringify(http2.constants)}, connect: (...args) => require('node:http2').connect(...args) }`,
  },
  {
    file: /\/commander\/lib\/command\.js$/,
    from: "const childProcess = require('node:child_process');",
    to: "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
  },
];
const lazyBuiltins = {
  name: 'regctl-lazy-builtins',
  setup(b) {
    for (const { file, from, to } of LAZY) {
      b.onLoad({ filter: file }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes(from)) throw new Error(`scripts/bundle.mjs: ${args.path} no longer has ${from}`);
        return { contents: text.replace(from, to), loader: 'js' };
      });
    }
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
};
const ours = (path) => path.startsWith(dist + '/') && !path.startsWith(outdir + '/');
const key = (path) => relative(dist, path); // 'commands/digest.js'
// A module that stands for one of ours (or an npm package) living in another output file.
const proxy = (file, spec) => `module.exports = require(${JSON.stringify(`./${file}`)})${spec ? `.load(${JSON.stringify(spec)})` : ''};`;

/** Sends npm packages to their own files, and (optionally) our modules in `shared` to shared.cjs. */
function linker({ shared, onOurs }) {
  return {
    name: 'regctl-linker',
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w.-]+\.cjs$/ }, (args) =>
        ['package', 'shared', 'lib'].includes(args.namespace) ? { path: args.path, external: true } : undefined);
      // import('node:tls') (a built-in loaded on use) and import() of an optional package (EXTERNAL) as a require()
      // run when the import is: bin/regctl.cjs compiles the bundle with vm.Script and a V8 code cache, and a script
      // compiled from a cache made in another process has no dynamic-import callback (V8 keeps the host options of
      // the process that made the cache), so a real import() would throw in every installed regctl. (An ES-module-only
      // optional package would load through require(esm), Node >= 20.19.)
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' && (args.path.startsWith('node:') || EXTERNAL.includes(args.path))
        ? { path: args.path, namespace: 'required' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || EXTERNAL.includes(args.path) || args.path === 'commander') return undefined;
        if (args.importer.includes('/node_modules/')) return undefined; // inside a package: bundle as usual
        if (!PACKAGES[args.path]) throw new Error(`scripts/bundle.mjs: ${args.importer} imports '${args.path}': add it to PACKAGES`);
        return { path: args.path, namespace: 'package' };
      });
      b.onLoad({ filter: /.*/, namespace: 'package' }, (args) => ({ contents: proxy(packageFile(args.path)), loader: 'js' }));
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!ours(args.importer)) return undefined;
        const path = resolve(args.resolveDir, args.path);
        if (shared?.has(path)) return { path, namespace: 'shared' };
        return onOurs?.(path, args);
      });
      b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({ contents: proxy('shared.cjs', key(args.path)), loader: 'js' }));
      b.onLoad({ filter: /.*/, namespace: 'lib' }, (args) => ({ contents: proxy('lib.cjs', key(args.path)), loader: 'js' }));
    },
  };
}

/** A CommonJS entry whose load(spec) initialises one of the given modules on first call. */
function loaderEntry(paths) {
  const cases = [...paths].map((p) => `    case ${JSON.stringify(key(p))}: return require(${JSON.stringify(p)});`);
  return `exports.load = (spec) => {\n  switch (spec) {\n${cases.join('\n')}\n  }\n  throw new Error('regctl bundle: no module ' + spec);\n};\n`;
}

/** esbuild with the common options; fails if an output keeps an import() (the linker says why none may). */
async function bundle(options) {
  const result = await build({ ...common, ...options });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const left = output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    if (left.length) throw new Error(`scripts/bundle.mjs: ${file} keeps import() of ${left.join(', ')}: bin/regctl.cjs cannot run it`);
  }
  return result;
}

const distInputs = (result) => Object.keys(result.metafile.inputs).map((p) => resolve(root, p)).filter(ours);

await rm(outdir, { recursive: true, force: true });

// regctl.cjs: bin.js and cli.js. cli.js's dynamic imports go to lib.cjs; any other module of ours to shared.cjs.
const lib = new Set();
const shared = new Set();
const binJs = resolve(dist, 'bin.js');
const cliJs = resolve(dist, 'cli.js');
await bundle({
  entryPoints: [binJs],
  outfile: resolve(outdir, 'regctl.cjs'),
  external: EXTERNAL,
  plugins: [inlineVersion, lazyBuiltins, linker({
    onOurs(path, args) {
      if (args.importer === binJs && path === cliJs) return undefined;
      if (args.kind === 'dynamic-import') {
        lib.add(path);
        return { path, namespace: 'lib' };
      }
      shared.add(path);
      return { path, namespace: 'shared' };
    },
  })],
});

// shared.cjs first: a shared module that imports another of ours would be bundled twice (two RegctlErrors).
const sharedResult = await bundle({
  stdin: { contents: loaderEntry(shared), resolveDir: root, loader: 'js' },
  outfile: resolve(outdir, 'shared.cjs'),
  plugins: [inlineVersion, lazyBuiltins, linker({})],
});
for (const path of distInputs(sharedResult)) {
  if (!shared.has(path)) throw new Error(`scripts/bundle.mjs: shared module imports ${key(path)}; make it shared too`);
}

const libResult = await bundle({
  stdin: { contents: loaderEntry(lib), resolveDir: root, loader: 'js' },
  outfile: resolve(outdir, 'lib.cjs'),
  external: EXTERNAL,
  plugins: [inlineVersion, lazyBuiltins, linker({ shared })],
});
for (const path of [binJs, cliJs]) {
  if (distInputs(libResult).includes(path)) throw new Error(`scripts/bundle.mjs: a command imports ${key(path)} at runtime`);
}

const require = createRequire(import.meta.url);
for (const [name, pkg] of Object.entries(PACKAGES)) {
  const outfile = resolve(outdir, packageFile(name));
  await bundle({ stdin: { contents: packageSource(name, pkg), resolveDir: root, loader: 'js' }, outfile, plugins: [lazyBuiltins] });
  const built = require(outfile);
  const missing = [...(pkg.default && !built ? ['default'] : []), ...(pkg.names ?? []).filter((n) => built?.[n] === undefined)];
  if (missing.length) throw new Error(`scripts/bundle.mjs: ${packageFile(name)} lacks ${missing.join(', ')}`);
}

// What dist/ imports from each package must be what PACKAGES says (a wrong guess would be undefined at runtime).
for (const file of await readdir(dist, { recursive: true })) {
  if (!file.endsWith('.js') || file.startsWith('bundle/')) continue;
  const text = await readFile(resolve(dist, file), 'utf8');
  for (const m of text.matchAll(/import\s+([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*from\s*'([^'.][^']*)'/g)) {
    const pkg = PACKAGES[m[3]];
    if (!pkg) continue;
    const names = (m[2] ?? '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter((n) => n && !n.startsWith('type '));
    const bad = [...(m[1] && !pkg.default ? ['default'] : []), ...names.filter((n) => !pkg.names?.includes(n))];
    if (bad.length) throw new Error(`scripts/bundle.mjs: dist/${file} imports ${bad.join(', ')} from '${m[3]}': add to PACKAGES`);
  }
  for (const m of text.matchAll(/import\('([^'.][^']*)'\)/g)) {
    if (PACKAGES[m[1]] && !PACKAGES[m[1]].default) throw new Error(`scripts/bundle.mjs: dist/${file} imports '${m[1]}' dynamically`);
  }
}

// The content key of each file's code cache (bin/regctl.cjs): the sha256 of the file as esbuild wrote it.
for (const file of await readdir(outdir)) {
  if (!file.endsWith('.cjs')) continue;
  const text = await readFile(resolve(outdir, file), 'utf8');
  await writeFile(resolve(outdir, file), `// regctl bundle sha256:${createHash('sha256').update(text).digest('hex')}\n${text}`);
}
