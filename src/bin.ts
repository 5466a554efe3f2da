import { homedir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { run } from './cli.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it with Liftoff, then recompiles it with
// TurboFan in the background, and the process cannot exit until that finishes: ~80 ms after a one-request command
// has printed its answer. Liftoff code alone parses as fast for regctl's traffic (a 144 MiB pull took as long).
// Process-wide, so set here in the CLI's entry point and not in the library.
setFlagsFromString('--liftoff-only');

// The only module that touches `process`: everything else gets the world through `Io`.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
// No top-level await: the bundle that bin/regctl.js runs is CommonJS (scripts/bundle.mjs).
void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  homedir: homedir(),
}).then((code) => {
  process.exitCode = code;
});
