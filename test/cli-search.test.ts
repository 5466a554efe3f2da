import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort } from './helpers/ports.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { startSearchFixture, type SearchFixtureHandle, type SearchResult } from './helpers/search-fixture.js';
import { seedImage } from './helpers/seed.js';

const LONG = 'MySQL is a widely used, open-source relational database management system (RDBMS).';
const HUB: SearchResult[] = [
  { name: 'mysql', description: LONG, star_count: 15000, is_official: true, is_automated: false },
  { name: 'library/mysql-legacy', description: 'old', star_count: 3, is_official: true, is_automated: false },
  { name: 'bitnami/mysql', description: 'Bitnami MySQL', star_count: 120, is_official: false, is_automated: true },
  { name: 'someone/mysql-tools', description: 'tools\nwith newline', star_count: 0, is_official: false, is_automated: false },
  ...Array.from({ length: 40 }, (_, i) => ({ name: `user${i}/mysql-${i}`, description: '', star_count: i, is_official: false, is_automated: false })),
];

describe('search', () => {
  let hub: SearchFixtureHandle;
  let home: Home;
  let reg: RegistryHandle;

  before(async () => {
    hub = await startSearchFixture(HUB);
    reg = await startRegistry();
    for (const repo of ['web/nginx', 'web/nginx-extras', 'db/postgres']) await seedImage({ url: reg.url }, repo, '1');
    home = await makeHome({ registries: { 'docker.io': { search: hub.url } } });
  });
  after(async () => {
    await hub.stop();
    await reg.stop();
    await home.cleanup();
  });

  test('table: NAME DESCRIPTION STARS OFFICIAL, descriptions cut at 45 characters', async () => {
    const r = await runCli(['search', 'mysql'], home.env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    assert.equal(lines.length, 1 + 25, 'default limit 25');
    const mysql = lines.find((l) => l.startsWith('mysql '))!;
    assert.ok(mysql.includes(`${LONG.slice(0, 44)}…`), mysql);
    assert.ok(!mysql.includes(LONG));
    assert.match(mysql, /15000\s+\[OK\]$/);
    assert.ok(lines.some((l) => l.startsWith('mysql-legacy ')), 'library/ prefix stripped');
    assert.equal(hub.requests.at(-1)!.get('q'), 'mysql');
    assert.equal(hub.requests.at(-1)!.get('n'), '25');
  });

  test('--no-trunc keeps full descriptions', async () => {
    const r = await runCli(['search', '--no-trunc', 'mysql'], home.env);
    assert.ok(r.stdout.includes(LONG));
    assert.ok(r.stdout.includes('tools with newline'));
  });

  test('--limit, filters and JSON', async () => {
    const r = await runCli(['search', '--limit', '100', '--filter', 'stars=100', '--format', 'json', 'mysql'], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hub.requests.at(-1)!.get('n'), '100');
    assert.deepEqual(JSON.parse(r.stdout), [
      { name: 'mysql', description: LONG, stars: 15000, official: true, automated: false },
      { name: 'bitnami/mysql', description: 'Bitnami MySQL', stars: 120, official: false, automated: false },
    ]);
    const official = JSON.parse((await runCli(['search', '-f', 'is-official=true', '--format', 'json', 'mysql'], home.env)).stdout);
    assert.deepEqual(official.map((x: { name: string }) => x.name), ['mysql', 'mysql-legacy']);
    const notOfficial = JSON.parse((await runCli(['search', '-f', 'is-official=false', '--filter', 'stars=30', '--format', 'json', '--limit', '100', 'mysql'], home.env)).stdout);
    assert.deepEqual(notOfficial.map((x: { name: string }) => x.name), ['bitnami/mysql', ...[30, 31, 32, 33, 34, 35, 36, 37, 38, 39].map((i) => `user${i}/mysql-${i}`)]);
    const automated = await runCli(['search', '--filter', 'is-automated=true', '--format', 'json', 'mysql'], home.env);
    assert.deepEqual(JSON.parse(automated.stdout), []);
  });

  test('bad limits and filters: exit 2, the flag named', async () => {
    const asked = hub.requests.length;
    for (const args of [['--limit', '0'], ['--limit', '101'], ['--limit', 'ten'], ['--filter', 'stars=many'], ['-f', 'is-official=yes'], ['--filter', 'color=red'], ['--format', 'xml']]) {
      const r = await runCli(['search', ...args, 'mysql'], home.env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, args[0] === '-f' ? /^regctl: --filter / : new RegExp(`^regctl: ${args[0]}`), args.join(' '));
    }
    assert.equal(hub.requests.length, asked, 'refused before searching');
  });

  test('--registry searches another registry\'s catalog', async () => {
    const r = await runCli(['search', '--registry', reg.host, '--format', 'json', 'nginx'], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).map((x: { name: string }) => x.name), [`${reg.host}/web/nginx`, `${reg.host}/web/nginx-extras`]);
    const table = await runCli(['search', '--registry', reg.host, 'postgres'], home.env);
    assert.match(table.stdout, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/db/postgres`, 'm'));
  });

  test('search service down: exit 5', async () => {
    const port = await freePort();
    const h = await makeHome({ registries: { 'docker.io': { search: `http://127.0.0.1:${port}` } } });
    const r = await runCli(['search', 'mysql'], h.env);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /connection refused/);
    await h.cleanup();
  });
});
