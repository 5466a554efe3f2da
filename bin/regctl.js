#!/usr/bin/env node
// The esbuild bundle of dist/bin.js (scripts/bundle.mjs, built by `npm run build`): starts faster than dist/.
import '../dist/bundle/regctl.js';
