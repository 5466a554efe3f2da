// One output flag: every command that prints takes `--format` (its text, json, or a Go template over its result), and
// the commands whose output is data of another kind (a tarball, a shell script) or that print nothing say why here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { commandTree } from '../src/cli.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

/** Commands that print no result of their own, or data that is not a report: no `--format`. */
const NO_REPORT: Record<string, string> = {
  tag: 'prints nothing (docker tag, crane tag)',
  save: 'writes a tarball',
  export: 'writes a tarball',
  completion: 'writes a shell script',
  'blob get': 'writes the blob\'s bytes',
  'get-file': 'writes the file\'s bytes',
};

function leaves(cmd: Command, path = ''): { path: string; cmd: Command }[] {
  return cmd.commands.flatMap((c) => {
    const p = path ? `${path} ${c.name()}` : c.name();
    return [...(c.commands.length === 0 || (c as unknown as { _actionHandler?: unknown })._actionHandler ? [{ path: p, cmd: c }] : []), ...leaves(c, p)];
  });
}

describe('every command that prints takes --format', () => {
  let reg: RegistryHandle;
  let home: Home;
  let app: SeededImage;
  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    app = await seedImage({ url: reg.url }, 'lib/app', '1');
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  test('each command with an action has --format, or is listed with the reason it has none', async () => {
    const missing = leaves(await commandTree())
      .filter(({ path, cmd }) => !(path in NO_REPORT) && !cmd.options.some((o) => o.long === '--format'))
      .map(({ path }) => path);
    assert.deepEqual(missing, []);
  });

  test('pull, push, rmi, load and version print their result as a template or JSON', async () => {
    const image = `${reg.host}/lib/app:1`;
    const pulled = await runCli(['pull', '--format', '{{.Digest}} {{.UpToDate}}', image], home.env);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, `${app.digest} false\n`);
    const pushedRef = `${reg.host}/copy/app:2`;
    assert.equal((await runCli(['tag', image, pushedRef], home.env)).code, 0);
    const pushed = await runCli(['push', '-q', '--format', 'json', pushedRef], home.env);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.deepEqual(JSON.parse(pushed.stdout), { name: pushedRef, digest: app.digest, size: app.manifest.length });
    const removed = await runCli(['rmi', '--format', '{{range .Untagged}}{{.}}{{end}}', pushedRef], home.env);
    assert.equal(removed.stdout, `${pushedRef}\n`);
    const version = await runCli(['version', '--format', '{{.Version}}'], home.env);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const bad = await runCli(['pull', '--format', 'jsn', image], home.env);
    assert.equal(bad.code, 2, 'a format that is neither a name nor a template fails before any work');
  });
});
