import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { processEnvironment } from './api/environment.js';
import { run, runInterruptCleanups } from './cli.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 runs it as Liftoff code, recompiles the hot functions
// with TurboFan in the background, and the process cannot exit until that is done: ~80 ms after a one-request
// command has printed its answer. Liftoff code alone parses as fast for regctl's traffic (a 144 MiB pull took as
// long). The flag is process-wide, so it is set here in the CLI's entry and not in the library; and it is set just
// before undici's first connection rather than at startup, because after any V8 flag change V8 rejects Node's
// built-in code cache: node:http, node:tls and the rest took 2-3 times as long to load.
// Not while bin/regctl.cjs makes the bundle's code caches at build time: a cache made under other flags is rejected.
const BEFORE_CONNECT = 'undici:client:beforeConnect';
if (process.env.REGCTL_CODE_CACHE_TRAIN !== '1') {
  subscribe(BEFORE_CONNECT, function liftoffOnly() {
    unsubscribe(BEFORE_CONNECT, liftoffOnly);
    setFlagsFromString('--liftoff-only');
  });
}

// Memory: socket read buffers die young, but V8 collects them late (only under "external memory pressure"), so a
// long copy's RSS grew to ~110 MiB. A young-generation collection every GC_EVERY bytes received keeps it bounded.
// Set up on the first such milestone, so short commands never pay for it (--expose-gc changes V8's flags, which
// would also invalidate code caches for scripts compiled after it).
// Measured on the 1 GiB copy (peak RSS, user CPU): none 109-117 MiB, 2.4 s; a minor GC every 16 MiB 84-104 MiB;
// every 4 MiB 76-86 MiB, 2.0-2.4 s (scavenging a young generation of dead buffers is cheap); a major GC every 16 MiB
// 86-93 MiB but 4 s of CPU.
const GC_EVERY = 4 * 2 ** 20;
const GC_OPTIONS = { type: 'minor', execution: 'sync' };
let received = 0;
let collect: ((opts: object) => void) | undefined;
subscribe('undici:request:bodyChunkReceived', (msg) => {
  received += (msg as { chunk: Buffer }).chunk.length;
  if (received < GC_EVERY) return;
  received = 0;
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as (opts: object) => void;
  }
  collect(GC_OPTIONS);
});

// The only module that touches `process`: everything else gets the world through `Io`.

// Stopped mid-transfer, regctl undoes what it had under way (temp blobs kept as resumable partials, leases dropped,
// a half-written tarball removed) and exits as a process killed by that signal would report it: 128 + signal.
const stop = (code: number) => {
  runInterruptCleanups();
  process.exit(code);
};
process.once('SIGINT', () => stop(130));
process.once('SIGTERM', () => stop(143));
process.once('SIGHUP', () => stop(129));
// A reader that went away (`regctl save IMG | head -c 100`) means the output is incomplete: a failure, reported
// like a process killed by SIGPIPE (141), as docker, cat and other Unix tools are.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') {
    process.stderr.write('regctl: stdout was closed before all output was written (broken pipe)\n');
    stop(141);
  }
});
// No top-level await: the bundle that bin/regctl.cjs runs is CommonJS (scripts/bundle.mjs).
void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  ...processEnvironment(),
}).then((code) => {
  process.exitCode = code;
});
