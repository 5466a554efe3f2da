import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { commandTree } from '../src/cli.js';
import { allCommands, COMMANDS } from '../src/commands/index.js';
import { EXIT_CODES, manPages } from '../src/docs/man.js';
import { commandSpec, examplesByPath, peersByPath, type CommandSpec } from '../src/docs/spec.js';
import type { Command } from 'commander';
import type { CommandDefinition } from '../src/commands/index.js';
import { commandTable } from '../src/docs/table.js';
import { packageVersion } from '../src/util/version.js';
import { makeHome, runBin, runCli, type Home } from './helpers/run-cli.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/regctl.cjs');

async function spec(): Promise<CommandSpec> {
  const definitions = await allCommands();
  return commandSpec(await commandTree(), peersByPath(definitions), '', examplesByPath(definitions));
}

/** A command line as the shell splits it: words (quotes and backslashes removed) and the operators | < > ; & apart. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      assert.ok(end > i, `unbalanced ${c} in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end).replace(c === '"' ? /\\(["\\$`])/g : /$^/, '$1');
      i = end;
    } else if (c === '\\') word = (word ?? '') + line[++i];
    else if (/\s/.test(c) || '|<>;&'.includes(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      if (!/\s/.test(c)) words.push(c);
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * What is wrong with an example of the command at `path` (`['tag', 'ls']`): it must run regctl (in a pipeline, after
 * VAR=value assignments if need be) with that command, flags the command (or the root) declares, with their values
 * and choices, and as many arguments as the command takes. Checked against the commander tree the CLI parses with.
 */
function exampleProblems(root: Command, path: string[], line: string): string[] {
  const segments: string[][] = [[]];
  for (const w of shellWords(line)) {
    if ('|;&'.includes(w)) segments.push([]);
    else segments.at(-1)!.push(w);
  }
  const runs = segments.map((seg) => seg.filter((w, i) => !seg.slice(0, i + 1).every((x) => /^[A-Z_]+=/.test(x))))
    // a redirection's target is not an argument
    .map((seg) => seg.filter((w, i) => w !== '<' && w !== '>' && seg[i - 1] !== '<' && seg[i - 1] !== '>'))
    .filter((seg) => seg[0] === 'regctl');
  if (runs.length !== 1) return [`runs regctl ${runs.length} times`];
  const words = runs[0]!.slice(1);
  const problems: string[] = [];
  const findOption = (cmd: Command, flag: string) => [...cmd.options, ...root.options].find((o) => o.long === flag || o.short === flag);
  /** Consumes an option at words[i]; returns how many words it took, or 0 when it is not one of `cmd`'s. */
  const option = (cmd: Command, i: number): number => {
    const w = words[i]!;
    const checkValue = (o: ReturnType<typeof findOption>, value: string | undefined) => {
      if (value === undefined) problems.push(`${w}: no value`);
      else if (o!.argChoices && !o!.argChoices.includes(value)) problems.push(`${w} ${value}: not one of ${o!.argChoices.join(', ')}`);
    };
    if (w.startsWith('--')) {
      const [flag, value] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
      const o = findOption(cmd, flag);
      if (!o) return 0;
      if (!o.required && !o.optional) {
        if (value !== undefined) problems.push(`${flag} takes no value`);
        return 1;
      }
      // as commander parses: a required value is the next word; an optional one only after =
      if (value !== undefined || !o.required) {
        checkValue(o, value ?? '');
        return 1;
      }
      checkValue(o, words[i + 1]);
      return 2;
    }
    for (let k = 1; k < w.length; k++) {
      const o = findOption(cmd, `-${w[k]}`);
      if (!o) return 0;
      if (o.required || o.optional) {
        if (k + 1 < w.length) {
          checkValue(o, w.slice(k + 1));
          return 1;
        }
        checkValue(o, words[i + 1]);
        return 2;
      }
    }
    return 1;
  };
  let i = 0;
  const isFlag = (w: string | undefined) => w !== undefined && w.startsWith('-') && w !== '-';
  while (isFlag(words[i])) {
    const took = option(root, i);
    if (!took) return [`${words[i]} is not a global option`];
    i += took;
  }
  let cmd: Command = root;
  for (const name of path) {
    const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub || (words[i] !== sub.name() && !sub.aliases().includes(words[i] ?? ''))) return [`does not run regctl ${path.join(' ')}`];
    cmd = sub;
    i++;
  }
  const operands: string[] = [];
  let options = true;
  while (i < words.length) {
    const w = words[i]!;
    if (options && w === '--') {
      options = false;
      i++;
    } else if (options && isFlag(w)) {
      const took = option(cmd, i);
      if (!took) {
        problems.push(`${w} is not an option of regctl ${path.join(' ')}`);
        i++;
      } else i += took;
    } else {
      operands.push(w);
      i++;
    }
  }
  const args = cmd.registeredArguments;
  const required = args.filter((a) => a.required).length;
  if (operands.length < required) problems.push(`${operands.length} arguments, ${required} required`);
  if (!args.some((a) => a.variadic) && operands.length > args.length) problems.push(`${operands.length} arguments, at most ${args.length}`);
  return problems;
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

describe('man pages\' EXAMPLES, from each command\'s definition', () => {
  test('the example checker refuses a flag the command lacks, a bad choice, a missing value or argument', async () => {
    const root = await commandTree();
    assert.deepEqual(exampleProblems(root, ['digest'], 'regctl digest --platform linux/amd64 alpine'), []);
    assert.deepEqual(exampleProblems(root, ['digest'], 'regctl digest --no-such-flag alpine'), ['--no-such-flag is not an option of regctl digest']);
    assert.deepEqual(exampleProblems(root, ['copy'], "regctl copy --manifest-format v2s2 a b"), ['--manifest-format v2s2: not one of oci, docker']);
    assert.deepEqual(exampleProblems(root, ['copy'], 'regctl copy a'), ['1 arguments, 2 required']);
    assert.deepEqual(exampleProblems(root, ['blob', 'get'], 'regctl blob get -o'), ['-o: no value', '0 arguments, 1 required']);
    assert.deepEqual(exampleProblems(root, ['tag', 'ls'], 'regctl tags alpine'), ['does not run regctl tag ls']);
    assert.deepEqual(exampleProblems(root, ['load'], 'zstd -dc a.tar.zst | regctl --debug load -q > out.txt'), []);
  });

  test('every command (and subcommand) has 1 to 4 examples, each running it with flags it takes and the arguments it needs', async () => {
    const root = await commandTree();
    const problems: string[] = [];
    const check = (d: CommandDefinition, path: string[]) => {
      const examples = d.examples ?? [];
      // a command that only groups subcommands (manifest, blob, index) may leave the examples to them
      if (d.action || !d.subcommands?.length) {
        if (examples.length < 1 || examples.length > 4) problems.push(`regctl ${path.join(' ')}: ${examples.length} examples`);
      }
      for (const [line, what] of examples) {
        if (!what.trim()) problems.push(`${line}: says nothing of what it does`);
        for (const p of exampleProblems(root, path, line)) problems.push(`${line}: ${p}`);
      }
      for (const sub of d.subcommands ?? []) check(sub, [...path, sub.name]);
    };
    const definitions = await allCommands();
    assert.equal(definitions.length, Object.keys(COMMANDS).length);
    for (const d of definitions) check(d, [d.name]);
    assert.deepEqual(problems, []);
  });

  test('man regctl-NAME shows its examples and its subcommands\' in an EXAMPLES section', async () => {
    for (const name of ['digest', 'manifest', 'tag']) {
      const { stdout: page } = await exec('man', ['-l', join(ROOT, 'dist/man', `regctl-${name}.1`)], { env: { ...process.env, MANWIDTH: '250', MAN_KEEP_FORMATTING: '' } });
      const section = /\nEXAMPLES\n([^]*?)\nGLOBAL OPTIONS\n/.exec(page)?.[1];
      assert.ok(section, `man regctl-${name} has EXAMPLES before GLOBAL OPTIONS`);
      const definition = (await allCommands()).find((d) => d.name === name)!;
      for (const d of [definition, ...(definition.subcommands ?? [])]) {
        for (const [line] of d.examples ?? []) assert.ok(section.includes(line), `man regctl-${name} shows ${line}\n${section}`);
      }
    }
    const { stdout: tag } = await exec('man', ['-l', join(ROOT, 'dist/man', 'regctl-tag.1')], { env: { ...process.env, MANWIDTH: '250' } });
    assert.match(tag, /EXAMPLES[^]*\n {3}tag ls\n[^]*regctl tag ls localhost:5000\/app/, 'a subcommand\'s examples under its name');
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
