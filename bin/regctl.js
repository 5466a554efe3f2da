#!/usr/bin/env node
// Runs the bundle of dist/bin.js (scripts/bundle.mjs, built by `npm run build`). It is CommonJS and loaded with
// require(): Node's ES module loader costs ~0.5-1 ms per file, and importing a CommonJS file scans all of it.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('../dist/bundle/regctl.cjs');
