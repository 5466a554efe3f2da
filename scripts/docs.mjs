// Writes what is generated from the command definitions, so help, man pages and README cannot drift apart
// (test/cli-docs.test.ts fails when they do). Part of `npm run build`, after tsc:
//   node scripts/docs.mjs            dist/man/regctl.1 and dist/man/regctl-NAME.1 (package.json's `man` lists them)
//   node scripts/docs.mjs --write    also README.md's command table (between its <!-- commands --> markers) and
//                                    package.json's `man` list, after adding or renaming a command
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'dist');
const { commandTree } = await import(resolve(dist, 'cli.js'));
const { allCommands } = await import(resolve(dist, 'commands/index.js'));
const { commandSpec, examplesByPath, peersByPath } = await import(resolve(dist, 'docs/spec.js'));
const { manPages } = await import(resolve(dist, 'docs/man.js'));
const { commandTable } = await import(resolve(dist, 'docs/table.js'));
const { packageVersion } = await import(resolve(dist, 'util/version.js'));

const definitions = await allCommands();
const spec = commandSpec(await commandTree(), peersByPath(definitions), '', examplesByPath(definitions));

const manDir = resolve(dist, 'man');
await rm(manDir, { recursive: true, force: true });
await mkdir(manDir, { recursive: true });
const pages = manPages(spec, packageVersion());
for (const [file, text] of pages) await writeFile(resolve(manDir, file), text);

if (process.argv.includes('--write')) {
  const readmePath = resolve(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  const marked = /(<!-- commands -->\n)[^]*?(<!-- \/commands -->)/;
  if (!marked.test(readme)) throw new Error('scripts/docs.mjs: README.md has no <!-- commands --> … <!-- /commands --> section');
  await writeFile(readmePath, readme.replace(marked, (_m, open, close) => `${open}${commandTable(spec)}${close}`));
  const pkgPath = resolve(root, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
  pkg.man = pages.map(([file]) => `./dist/man/${file}`);
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
}
