#!/usr/bin/env node
'use strict';
// Runs the bundle of dist/bin.js (scripts/bundle.mjs). CommonJS, so Node's ES module loader never starts.
//
// Each bundle file is compiled with the V8 code cache scripts/code-cache.mjs made at build time (dist/bundle/
// NAME.cjs.v8cache): V8 then skips parsing and compiling what the cache holds (~12-15 ms of a short command). The
// cache is keyed on content: each bundle file starts with `// regctl bundle sha256:HEX` (the hash of the rest of
// the file, written by scripts/bundle.mjs), and the cache is used only when its header names that hash, the file's
// size and this Node version; V8 itself rejects a cache made by another V8 or with other flags. Not the file's
// mtime: npm writes the install time, which turned every cache of an installed regctl down. Any mismatch or error
// falls back silently to a plain compile. REGCTL_DEBUG_CODE_CACHE=1 prints, per file, whether its cache was used.
//
// A script compiled from a code cache made in another process (the build) keeps what V8 stored with it: it has no
// dynamic-import callback, whatever vm.Script is given (so scripts/bundle.mjs turns import() into require()), and
// it keeps its name. Scripts are therefore named by their path in the package (regctl/dist/bundle/lib.cjs in a
// stack trace), the same at build time and in every install, never the build machine's folder.
//
// REGCTL_CODE_CACHE_TRAIN=1 (build only) writes the caches at exit, after the command has run: V8 compiles most
// functions lazily, and a cache made after a run holds every function the run compiled.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const train = process.env.REGCTL_CODE_CACHE_TRAIN === '1';
const debug = process.env.REGCTL_DEBUG_CODE_CACHE === '1';
const trained = [];
const ROOT = path.join(__dirname, '..');
const BUILD_ID = /^\/\/ regctl bundle sha256:([0-9a-f]{64})\n/;

/** The cache made for this content, size and Node, or why there is none. */
function readCache(file, sha256, size) {
  if (!sha256) return { why: 'no build id' };
  let data;
  try {
    data = fs.readFileSync(`${file}.v8cache`);
  } catch {
    return { why: 'missing' };
  }
  try {
    const end = data.indexOf(10);
    const head = JSON.parse(data.toString('latin1', 0, end));
    if (head.node !== process.version || head.size !== size || head.sha256 !== sha256) return { why: 'stale' };
    return { cachedData: data.subarray(end + 1) };
  } catch {
    return { why: 'unreadable' };
  }
}

function load(file, parent) {
  const known = Module._cache[file];
  if (known) return known.exports;
  const fd = fs.openSync(file, 'r');
  let source;
  let size;
  try {
    size = fs.fstatSync(fd).size;
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const sha256 = BUILD_ID.exec(source)?.[1];
  const { cachedData, why } = readCache(file, sha256, size);
  const filename = `regctl/${path.relative(ROOT, file)}`;
  const script = new vm.Script(Module.wrap(source), { filename, ...(cachedData ? { cachedData } : {}) });
  if (debug) {
    const verdict = cachedData ? (script.cachedDataRejected ? 'rejected by V8' : 'accepted') : why;
    process.stderr.write(`regctl code cache: ${path.basename(file)}: ${verdict}\n`);
  }
  if (train && sha256) trained.push({ file, script, size, sha256 });
  const m = new Module(file, parent);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = m;
  const dir = path.dirname(file);
  const req = (id) => (id.startsWith('./') && id.endsWith('.cjs') ? load(path.join(dir, id), m) : m.require(id));
  req.resolve = (id, opts) => Module._resolveFilename(id, m, false, opts);
  req.cache = Module._cache;
  req.main = process.mainModule;
  try {
    script.runInThisContext().call(m.exports, m.exports, req, m, file, dir);
  } catch (err) {
    delete Module._cache[file];
    throw err;
  }
  m.loaded = true;
  return m.exports;
}

if (train) {
  process.on('exit', () => {
    for (const { file, script, size, sha256 } of trained) {
      const head = JSON.stringify({ node: process.version, size, sha256 });
      fs.writeFileSync(`${file}.v8cache`, Buffer.concat([Buffer.from(`${head}\n`, 'latin1'), script.createCachedData()]));
    }
  });
}

load(path.join(ROOT, 'dist', 'bundle', 'regctl.cjs'), module);
