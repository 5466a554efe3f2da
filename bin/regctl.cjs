#!/usr/bin/env node
'use strict';
// Runs the bundle of dist/bin.js (scripts/bundle.mjs). CommonJS, so Node's ES module loader never starts.
//
// Each bundle file is compiled with the V8 code cache scripts/code-cache.mjs made at build time (dist/bundle/
// NAME.cjs.v8cache): V8 then skips parsing and compiling what the cache holds (~12-15 ms of a short command). The
// cache is used only when its header names this Node version and the size and mtime of the file it was made from
// (the build also records the file's sha256); V8 itself rejects a cache made by another V8 or with other flags.
// Any mismatch or error falls back silently to a plain compile.
//
// REGCTL_CODE_CACHE_TRAIN=1 (build only) writes the caches at exit, after the command has run: V8 compiles most
// functions lazily, and a cache made after a run holds every function the run compiled.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const train = process.env.REGCTL_CODE_CACHE_TRAIN === '1';
const trained = [];

function readCache(file, stat) {
  try {
    const data = fs.readFileSync(`${file}.v8cache`);
    const end = data.indexOf(10);
    const head = JSON.parse(data.toString('latin1', 0, end));
    if (head.node !== process.version || head.size !== stat.size || head.mtimeMs !== stat.mtimeMs) return undefined;
    return data.subarray(end + 1);
  } catch {
    return undefined;
  }
}

function load(file, parent) {
  const known = Module._cache[file];
  if (known) return known.exports;
  const fd = fs.openSync(file, 'r');
  let source;
  let stat;
  try {
    stat = fs.fstatSync(fd);
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const cachedData = readCache(file, stat);
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (train) trained.push({ file, script, stat });
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
    for (const { file, script, stat } of trained) {
      const hash = require('node:crypto').createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const head = JSON.stringify({ node: process.version, size: stat.size, mtimeMs: stat.mtimeMs, sha256: hash });
      fs.writeFileSync(`${file}.v8cache`, Buffer.concat([Buffer.from(`${head}\n`, 'latin1'), script.createCachedData()]));
    }
  });
}

load(path.join(__dirname, '..', 'dist', 'bundle', 'regctl.cjs'), module);
