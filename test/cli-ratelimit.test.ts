// Docker Hub's rate-limit headers, added by a proxy in front of the real registry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex } from './helpers/seed.js';

describe('rate limits (Docker Hub headers)', () => {
  let reg: RegistryHandle;
  let dest: RegistryHandle;
  let home: Home;
  /** Every response carries the headers with this many pulls left. */
  let remaining = 76;
  let hub: ProxyHandle;

  before(async () => {
    [reg, dest] = await Promise.all([startRegistry(), startRegistry()]);
    await seedImage({ url: reg.url }, 'library/app', '1');
    await seedIndex({ url: reg.url }, 'library/multi', 'v1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    hub = await startProxy(reg.url, {
      addHeaders: (_method, url) => (url.pathname.includes('/manifests/')
        ? { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': `${remaining};w=21600`, 'docker-ratelimit-source': '203.0.113.7' }
        : undefined),
    });
    home = await makeHome();
  });
  after(async () => {
    await hub.stop();
    await Promise.all([reg.stop(), dest.stop()]);
    await home.cleanup();
  });

  test('ratelimit prints the headers of one HEAD (text and json)', async () => {
    remaining = 76;
    hub.requests.length = 0;
    const r = await runCli(['ratelimit', `${hub.host}/library/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ratelimit-limit: 100;w=21600\nratelimit-remaining: 76;w=21600\ndocker-ratelimit-source: 203.0.113.7\n');
    assert.deepEqual(hub.requests.filter((q) => q.includes('/manifests/')), ['HEAD /v2/library/app/manifests/1']);
    const j = await runCli(['ratelimit', '--format', 'json', `${hub.host}/library/app:1`], home.env);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    assert.deepEqual({ limited: doc.limited, limit: doc.limit, remaining: doc.remaining, window: doc.window, source: doc.source },
      { limited: true, limit: 100, remaining: 76, window: 21600, source: '203.0.113.7' });
    const t = await runCli(['ratelimit', '--format', '{{.Registry}} {{.Remaining}}/{{.Limit}} per {{.Window}}s for {{.Source}}', `${hub.host}/library/app:1`], home.env);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout, `${hub.host} 76/100 per 21600s for 203.0.113.7\n`);
    assert.equal((await runCli(['ratelimit', '--format', 'yaml', `${hub.host}/library/app:1`], home.env)).code, 2, 'neither a format nor a template');
  });

  test('ratelimit on a registry without the headers says there is no limit', async () => {
    const r = await runCli(['ratelimit', `${reg.host}/library/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${reg.host} sent no rate-limit headers for ${reg.host}/library/app:1: no pull limit applies\n`);
    const j = await runCli(['ratelimit', '--format', 'json', `${reg.host}/library/app:1`], home.env);
    assert.equal(JSON.parse(j.stdout).limited, false);
    const t = await runCli(['ratelimit', '--format', '{{.Limited}} {{.Registry}} {{len .Headers}}', `${reg.host}/library/app:1`], home.env);
    assert.equal(t.stdout, `false ${reg.host} 0\n`);
    const missing = await runCli(['ratelimit', `${reg.host}/library/nope:1`], home.env);
    assert.equal(missing.code, 3);
  });

  test('copy warns once on stderr when few pulls are left, and not otherwise', async () => {
    remaining = 5;
    const low = await runCli(['copy', '-q', `${hub.host}/library/multi:v1`, `${dest.host}/multi:low`], home.env);
    assert.equal(low.code, 0, low.stderr);
    const warnings = low.stderr.split('\n').filter((l) => l.includes('rate limit'));
    assert.deepEqual(warnings, [`regctl: warning: ${hub.host}: pull rate limit running low: 5 pulls left of 100 per 6 h (counted for 203.0.113.7)`]);
    remaining = 60;
    const plenty = await runCli(['copy', '-q', `${hub.host}/library/multi:v1`, `${dest.host}/multi:plenty`], home.env);
    assert.equal(plenty.code, 0, plenty.stderr);
    assert.equal(plenty.stderr, '');
  });
});
