import { homedir } from 'node:os';
import { run } from './cli.js';

// The only module that touches `process`: everything else gets the world through `Io`.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  homedir: homedir(),
});
