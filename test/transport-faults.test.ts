import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createContext, digest, type OpsContext } from '../src/index.js';
import { startProxy, type Fault } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

describe('transport faults (proxy in front of the real registry)', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;
  const basic = `Basic ${Buffer.from('alice:pw-for-faults').toString('base64')}`;

  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd', users: { alice: 'pw-for-faults' } });
    image = await seedImage({ url: reg.url, authHeader: basic }, 'alice/app', '1');
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  /** A context whose credentials for `host` are alice's. */
  function context(host: string): Promise<OpsContext> {
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [host]: { auth: basic.slice(6) } } }) };
    return createContext({ env, homedir: home.dir, runtime: process });
  }

  /** Injects `faults` in order on manifest requests, then forwards. */
  async function faulty(faults: Fault[]) {
    let i = 0;
    return startProxy(reg.url, { fault: (_m, url) => (url.pathname.includes('/manifests/') && i < faults.length ? faults[i++] : undefined) });
  }

  test('503 then success: retried, same digest', async () => {
    const proxy = await faulty([{ status: 503, body: 'busy' }, { status: 502 }]);
    const ctx = await context(proxy.host);
    try {
      assert.equal(await digest(`${proxy.host}/alice/app:1`, { context: ctx }), image.digest);
      assert.deepEqual(proxy.faulted, ['HEAD /v2/alice/app/manifests/1', 'HEAD /v2/alice/app/manifests/1'], 'the 503 and the 502 were both served');
      assert.equal(proxy.requests.filter((r) => r.includes('/manifests/')).length, 3);
    } finally {
      await ctx.transport.close();
      await proxy.stop();
    }
  });

  test('429 with Retry-After is honoured before retrying', async () => {
    const proxy = await faulty([{ status: 429, headers: { 'retry-after': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' }]);
    const ctx = await context(proxy.host);
    try {
      const start = Date.now();
      assert.equal(await digest(`${proxy.host}/alice/app:1`, { context: ctx }), image.digest);
      assert.ok(Date.now() - start >= 950, 'waited for Retry-After');
      assert.deepEqual(proxy.faulted, ['HEAD /v2/alice/app/manifests/1'], 'the 429 was served');
      assert.equal(proxy.requests.filter((r) => r.includes('/manifests/')).length, 2, 'then one retry');
    } finally {
      await ctx.transport.close();
      await proxy.stop();
    }
  });

  test('a dropped connection is retried', async () => {
    const proxy = await faulty(['drop']);
    const ctx = await context(proxy.host);
    try {
      assert.equal(await digest(`${proxy.host}/alice/app:1`, { context: ctx }), image.digest);
      assert.equal(proxy.faulted.length, 1, 'the connection was dropped once');
      assert.equal(proxy.requests.filter((r) => r.includes('/manifests/')).length, 2);
    } finally {
      await ctx.transport.close();
      await proxy.stop();
    }
  });

  test('a registry that keeps failing: exit 1 with the status, after a bounded number of tries', async () => {
    const proxy = await faulty(Array.from({ length: 20 }, () => ({ status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}' })));
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [proxy.host]: { auth: basic.slice(6) } } }) };
    try {
      const r = await runCli(['inspect', `${proxy.host}/alice/app:1`], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^regctl: fetching manifest for .*: GET http:\/\/127\.0\.0\.1:\d+\/v2\/alice\/app\/manifests\/1 answered 500: disk on fire$/m);
      assert.equal(proxy.requests.filter((q) => q.includes('/manifests/')).length, 5);
      assert.equal(proxy.faulted.length, 5, 'every try got the 500');
    } finally {
      await proxy.stop();
    }
  });

  test('Authorization is not sent to another host after a redirect', async () => {
    // "Blob storage" on another origin records what it receives and serves the manifest bytes.
    const seen: IncomingHttpHeaders[] = [];
    const storage = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': image.mediaType, 'docker-content-digest': image.digest }).end(image.manifest);
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    const storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
    const proxy = await startProxy(reg.url, {
      fault: (method, url) => (method === 'GET' && url.pathname.includes('/manifests/') ? { status: 307, headers: { location: `${storageUrl}/signed?sig=abc` } } : undefined),
    });
    const ctx = await context(proxy.host);
    try {
      const client = await ctx.transport.client(proxy.host);
      const res = await client.request({ method: 'GET', path: '/v2/alice/app/manifests/1', scopes: [], what: 'redirect test' });
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.body.arrayBuffer()), image.manifest);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.authorization, undefined);
      // The registry itself did get credentials (the request before the redirect was authorized).
      assert.ok(proxy.requests.some((q) => q.startsWith('GET /v2/alice/app/manifests/1')));
    } finally {
      await ctx.transport.close();
      await proxy.stop();
      storage.close();
    }
  });
});
