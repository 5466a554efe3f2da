import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { commandTree } from '../src/cli.js';
import { allCommands } from '../src/commands/index.js';
import { EXIT_CODES, manPages } from '../src/docs/man.js';
import { commandSpec, peersByPath, type CommandSpec } from '../src/docs/spec.js';
import { commandTable } from '../src/docs/table.js';
import { packageVersion } from '../src/util/version.js';
import { makeHome, runBin, runCli, type Home } from './helpers/run-cli.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/regctl.cjs');

async function spec(): Promise<CommandSpec> {
  return commandSpec(await commandTree(), peersByPath(await allCommands()));
}

describe('help, man pages and README come from the same command definitions', () => {
  test('README\'s command table is the one the definitions give (else: node scripts/docs.mjs --write)', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- commands -->\n([^]*?)<!-- \/commands -->/.exec(readme)?.[1];
    assert.ok(table, 'README.md has a <!-- commands --> section');
    const expected = commandTable(await spec());
    assert.equal(table, expected, 'README.md\'s command table is stale: run node scripts/docs.mjs --write');
    for (const name of (await commandTree()).commands.map((c) => c.name())) assert.match(table, new RegExp(`^\\| \`${name}\``, 'm'));
  });

  test('README\'s exit code table is the man pages\' EXIT STATUS', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(rows, EXIT_CODES.map(([c, m]) => [c, m]));
  });

  test('package.json\'s man field lists a page per command, and the build wrote each as generated now', async () => {
    const pages = manPages(await spec(), packageVersion());
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.man, pages.map(([f]) => `./dist/man/${f}`), 'package.json\'s man list is stale: run node scripts/docs.mjs --write');
    for (const [file, text] of pages) assert.equal(await readFile(join(ROOT, 'dist/man', file), 'utf8'), text, `dist/man/${file} is stale`);
  });

  test('man regctl-NAME shows every option `regctl NAME --help` shows, and the exit codes', async () => {
    const home = await makeHome();
    try {
      for (const cmd of (await commandTree()).commands) {
        const help = await runCli([cmd.name(), '--help'], home.env);
        const { stdout: page } = await exec('man', ['-l', join(ROOT, 'dist/man', `regctl-${cmd.name()}.1`)], { env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '' } });
        // hidden options (an old spelling kept, like copy --json) are in neither
        for (const option of cmd.options.filter((o) => !o.hidden)) {
          assert.ok(help.stdout.includes(option.long!), `${cmd.name()} --help shows ${option.long}`);
          assert.ok(page.includes(option.long!), `man regctl-${cmd.name()} shows ${option.long}`);
        }
        assert.match(page, /EXIT STATUS[^]*\b6\s+integrity failure/);
      }
    } finally {
      await home.cleanup();
    }
  });
});

describe('regctl version and --version', () => {
  test('the bundle prints the version, the commit it was built from, Node and the platform', async () => {
    const home = await makeHome();
    try {
      const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      const expected = [`regctl version ${packageVersion()}`, `commit: ${head}`, `node: ${process.version}`, `platform: ${process.platform}/${process.arch}`];
      for (const args of [['version'], ['--version']]) {
        const r = await runBin(args, home.env);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split('\n');
        assert.equal(lines.length, 4, r.stdout);
        assert.equal(lines[0], expected[0]);
        assert.match(lines[1]!, new RegExp(`^commit: ${head}(-dirty)?$`));
        assert.deepEqual(lines.slice(2), expected.slice(2));
      }
    } finally {
      await home.cleanup();
    }
  });
});

describe('regctl completion', () => {
  let home: Home;
  let script: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    home = await makeHome();
    // `regctl` on PATH (the completion asks it for local image names), and one image in the local store.
    const binDir = join(home.dir, 'bin');
    await mkdir(binDir);
    await writeFile(join(binDir, 'regctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(binDir, 'regctl'), 0o755);
    env = { ...home.env, PATH: `${binDir}:${process.env.PATH}`, REGCTL_STORE: join(home.dir, 'store') };
    const layout = join(home.dir, 'layout');
    await exec('umoci', ['init', '--layout', layout]);
    await exec('umoci', ['new', '--image', `${layout}:1.0`]);
    const copied = await runCli(['copy', '-q', `oci:${layout}:1.0`, 'local:demo/app:1.0'], env);
    assert.equal(copied.code, 0, copied.stderr);
    const r = await runBin(['completion', 'bash'], env);
    assert.equal(r.code, 0, r.stderr);
    script = join(home.dir, 'regctl.bash');
    await writeFile(script, r.stdout);
    await writeFile(join(home.dir, 'out.tar'), '');
  });
  after(() => home.cleanup());

  /** What bash completes for the line typed so far (the cursor at its end), as `complete -F` would call it. */
  async function complete(line: string): Promise<string[]> {
    const { stdout } = await exec('bash', ['--norc', '--noprofile', '-c', `source "$1"; COMP_LINE="$2"; COMP_POINT=\${#COMP_LINE}; _regctl; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', script, line], { env: env as NodeJS.ProcessEnv, cwd: home.dir });
    return stdout.split('\n').filter(Boolean).sort();
  }

  test('the script loads and registers _regctl for regctl', async () => {
    const { stdout } = await exec('bash', ['--norc', '--noprofile', '-c', 'source "$1" && complete -p regctl', 'bash', script]);
    assert.equal(stdout.trim(), 'complete -F _regctl regctl');
  });

  test('commands, subcommand words after global options and their values', async () => {
    assert.deepEqual(await complete('regctl cop'), ['copy']);
    assert.deepEqual(await complete('regctl compl'), ['completion']);
    assert.deepEqual(await complete('regctl --timeout 5s --debug ins'), ['inspect']);
    const all = await complete('regctl ');
    for (const name of (await commandTree()).commands.map((c) => c.name())) assert.ok(all.includes(name), name);
  });

  test('each command\'s flags, global flags, and the choices of a flag or argument', async () => {
    assert.deepEqual(await complete('regctl copy --pl'), ['--platform']);
    assert.deepEqual(await complete('regctl copy --in'), ['--include-nondistributable', '--insecure']);
    assert.deepEqual(await complete('regctl copy --manifest-format '), ['docker', 'oci']);
    assert.deepEqual(await complete('regctl completion '), ['bash', 'fish', 'zsh']);
  });

  test('image locations: the transports, then files or local images after the prefix', async () => {
    assert.deepEqual(await complete('regctl copy oci-ar'), ['oci-archive:']);
    assert.deepEqual(await complete('regctl copy '), ['docker-archive:', 'docker-daemon:', 'docker://', 'local:', 'oci-archive:', 'oci:']);
    // bash splits words at ':', so what it takes back is the part after the colon
    assert.deepEqual(await complete('regctl inspect local:de'), ['demo/app:1.0']);
    assert.deepEqual(await complete('regctl copy docker-archive:ou'), ['out.tar']);
  });

  test('local image names for the local store\'s commands, for every argument of rmi; files for -o', async () => {
    assert.deepEqual(await complete('regctl push '), ['demo/app:1.0']);
    assert.deepEqual(await complete('regctl rmi demo/app:1.0 '), ['demo/app:1.0']);
    assert.deepEqual(await complete('regctl save -o ou'), ['out.tar']);
  });

  test('zsh offers what the bash completion answers, whole words (colons kept), no space after a transport', async () => {
    const zsh = await runCli(['completion', 'zsh'], env);
    const file = join(home.dir, 'regctl.zsh');
    await writeFile(file, zsh.stdout);
    // compadd and compdef only exist inside zsh's completion system: stand-ins print what would be offered
    const offered = async (line: string) => (await exec('zsh', ['-f', '-c', `compdef() {}; compadd() { print -r -- "$*"; }; source "$1"; BUFFER="$2"; CURSOR=\${#BUFFER}; _regctl`, 'zsh', file, line], { env: env as NodeJS.ProcessEnv, cwd: home.dir })).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(await offered('regctl cop'), ['-Q -- copy']);
    assert.deepEqual(await offered('regctl inspect local:de'), ['-Q -- local:demo/app:1.0']);
    assert.deepEqual(await offered('regctl copy oci-ar'), ['-Q -S  -- oci-archive:']);
    assert.deepEqual(await offered('regctl push '), ['-Q -- demo/app:1.0']);
  });

  test('fish completes from its own complete lines (judged by fish complete -C)', async () => {
    const fish = await runCli(['completion', 'fish'], env);
    const file = join(home.dir, 'regctl.fish');
    await writeFile(file, fish.stdout);
    const offered = async (line: string) =>
      (await exec('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', file, line], { env: env as NodeJS.ProcessEnv, cwd: home.dir })).stdout
        .split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
    assert.deepEqual(await offered('regctl cop'), ['copy']);
    assert.ok((await offered('regctl copy --pl')).includes('--platform'));
    assert.deepEqual(await offered('regctl completion '), ['bash', 'fish', 'zsh']);
    assert.deepEqual(await offered('regctl copy --manifest-format '), ['docker', 'oci']);
    assert.ok((await offered('regctl push ')).includes('demo/app:1.0'));
    assert.ok((await offered('regctl copy ')).includes('local:demo/app:1.0'));
  });
});
