import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { commandTree } from '../src/cli.js';
import { COMMANDS } from '../src/commands/index.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const ROOT = join(import.meta.dirname, '..');

function walk(cmd: Command, path: string[] = []): Array<{ path: string; cmd: Command }> {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()].join(' '), cmd: c }, ...walk(c, [...path, c.name()])]);
}

describe('command definitions', () => {
  test('each command is one definition in src/commands/NAME.ts, named as its file', async () => {
    // `index` cannot live in index.ts, which lists the commands.
    const fileOf = (name: string) => (name === 'index' ? 'image-index' : name);
    for (const [name, load] of Object.entries(COMMANDS)) {
      const { default: def } = await load();
      assert.equal(def.name, name);
      assert.ok(existsSync(join(ROOT, 'src/commands', `${fileOf(name)}.ts`)), `src/commands/${fileOf(name)}.ts`);
      assert.ok(def.summary.length > 0, `${name} has a summary`);
    }
  });

  test('within one command a short flag means one thing (its own flags and the global ones); docker\'s meanings kept', async () => {
    const clashes: string[] = [];
    const program = await commandTree();
    for (const { path, cmd } of [{ path: 'regctl', cmd: program }, ...walk(program)]) {
      const meaning = new Map<string, string>();
      for (const option of [...program.options, ...(cmd === program ? [] : cmd.options)]) {
        if (!option.short) continue;
        const known = meaning.get(option.short);
        if (known !== undefined && known !== option.long) clashes.push(`${option.short}: ${known} and ${option.long} (${path})`);
        meaning.set(option.short, option.long ?? '');
      }
    }
    assert.deepEqual(clashes, []);
    const short = (path: string, flag: string) => walk(program).find((c) => c.path === path)?.cmd.options.find((o) => o.short === flag)?.long;
    assert.deepEqual([short('rmi', '-f'), short('images', '-q'), short('images', '-a'), short('images', '-f'), short('search', '-f'), short('size', '-a')],
      ['--force', '--quiet', '--all', '--filter', '--filter', '--all-platforms']);
  });

  test('--version is package.json\'s version', async () => {
    const home = await makeHome();
    try {
      const r = await runCli(['--version'], home.env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.split('\n')[0], `regctl version ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`);
    } finally {
      await home.cleanup();
    }
  });

  test('sync --config FILE without a destination asks for the destination (not for "source")', async () => {
    const home = await makeHome();
    try {
      const r = await runCli(['sync', '--config', join(home.dir, 'mirror.yaml')], home.env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^regctl: with --config, give the destination/m);
      assert.doesNotMatch(r.stderr, /source/);
    } finally {
      await home.cleanup();
    }
  });
});

describe('--tls-verify=false per registry side (skopeo\'s spelling)', () => {
  let tls: RegistryHandle;
  let plain: RegistryHandle;
  let image: SeededImage;

  before(async () => {
    [tls, plain] = await Promise.all([startRegistry({ tls: true }), startRegistry()]);
    image = await seedImage({ url: tls.url, ca: tls.caFile! }, 'app', '1');
  });
  after(() => Promise.all([tls.stop(), plain.stop()]));

  test('--tls-verify=false reaches a registry whose CA is not trusted; without it exit 5; a bad value exit 2', async () => {
    const home = await makeHome();
    try {
      assert.equal((await runCli(['digest', `${tls.host}/app:1`], home.env)).code, 5);
      const r = await runCli(['digest', '--tls-verify=false', `${tls.host}/app:1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), image.digest);
      const bad = await runCli(['digest', '--tls-verify=maybe', `${tls.host}/app:1`], home.env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--tls-verify=false/);
    } finally {
      await home.cleanup();
    }
  });

  test('copy: --src-tls-verify=false applies to the source only, --dest-tls-verify=false to the destination only', async () => {
    const home = await makeHome();
    try {
      const wrongSide = await runCli(['copy', '-q', '--dest-tls-verify=false', `${tls.host}/app:1`, `${plain.host}/app:1`], home.env);
      assert.equal(wrongSide.code, 5, wrongSide.stderr);
      const r = await runCli(['copy', '-q', '--src-tls-verify=false', `${tls.host}/app:1`, `${plain.host}/app:1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), image.digest);
      const back = await runCli(['copy', '-q', '--dest-tls-verify=false', `${plain.host}/app:1`, `${tls.host}/copied:1`], home.env);
      assert.equal(back.code, 0, back.stderr);
      assert.equal((await runCli(['digest', '--tls-verify=false', `${tls.host}/copied:1`], home.env)).stdout.trim(), image.digest);
    } finally {
      await home.cleanup();
    }
  });
});
