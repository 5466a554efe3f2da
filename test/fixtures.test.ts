// The test fixtures, checked against third-party tools (skopeo, tar) and raw HTTP only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { sha256 } from './helpers/bytes.js';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { startRegistry, stopAll, type RegistryHandle } from './helpers/registry.js';
import { startSearchFixture } from './helpers/search-fixture.js';
import { seedImage, seedIndex, seedManyTags, type SeededImage, type SeededIndex } from './helpers/seed.js';
import { otherCA } from './helpers/tls.js';
import { CATALOG, startTokenServer, type TokenServerHandle } from './helpers/token-server.js';

const execFileAsync = promisify(execFile);
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

after(stopAll);

describe('anonymous registry', () => {
  let registry: RegistryHandle;
  let image: SeededImage;
  let layers: SeededImage;
  let index: SeededIndex;
  let many: { tags: string[] };
  // Everything is seeded first, so each test runs alone.
  before(async () => {
    registry = await startRegistry();
    image = await seedImage({ url: registry.url }, 'team/app', 'v1');
    layers = await seedImage({ url: registry.url }, 'team/layers', 'v1', { mediaType: 'oci' });
    index = await seedIndex({ url: registry.url }, 'team/multi', 'v1',
      [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    many = await seedManyTags({ url: registry.url }, 'team/many', 5);
  });

  it('answers the /v2/ ping with 200', async () => {
    const res = await get(`${registry.url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
  });

  it('serves a seeded image whose digest skopeo agrees with', async () => {
    const { stdout } = await skopeo('inspect', '--tls-verify=false', '--format', '{{.Digest}} {{.Architecture}}',
      `docker://${registry.host}/team/app:v1`);
    assert.equal(stdout.trim(), `${image.digest} amd64`);
  });

  it('serves layers that gunzip to the config diff_ids and list as tar archives', async () => {
    const config = JSON.parse(layers.config.toString());
    assert.deepEqual(config.rootfs.diff_ids, layers.diffIds);
    const blob = await get(`${registry.url}/v2/team/layers/blobs/${layers.layerDigests[0]}`);
    assert.equal(sha256(blob.body), layers.layerDigests[0]);
    const tar = gunzipSync(blob.body);
    assert.equal(sha256(tar), layers.diffIds[0]);
    const listing = await run('tar', ['-t'], tar);
    assert.equal(listing.trim(), 'hello.txt');
  });

  it('serves an index whose per-platform images skopeo picks', async () => {
    const raw = await skopeo('inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/team/multi:v1`);
    assert.equal(sha256(Buffer.from(raw.stdout)), index.digest);
    const arm = await skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', '--override-variant', 'v8',
      '--config', `docker://${registry.host}/team/multi:v1`);
    assert.deepEqual([JSON.parse(arm.stdout).architecture, JSON.parse(arm.stdout).variant], ['arm64', 'v8']);
  });

  it('lists every tag of seedManyTags, unsorted and unpaged (2.8.2 ignores n on tags/list)', async () => {
    const res = await get(`${registry.url}/v2/team/many/tags/list?n=2`);
    assert.deepEqual(JSON.parse(res.body.toString()).tags.sort(), many.tags);
    assert.equal(res.headers.link, undefined);
  });

  it('pages _catalog with a Link header', async () => {
    const res = await get(`${registry.url}/v2/_catalog?n=1`);
    assert.deepEqual(JSON.parse(res.body.toString()).repositories, ['team/app']);
    assert.equal(res.headers.link, '</v2/_catalog?last=team%2Fapp&n=1>; rel="next"');
  });
});

describe('htpasswd + TLS registry', () => {
  const basic = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
  let registry: RegistryHandle;
  before(async () => { registry = await startRegistry({ auth: 'htpasswd', tls: true, users: { alice: 'secret' } }); });

  it('challenges with Basic without credentials', async () => {
    const res = await get(`${registry.url}/v2/`, { ca: registry.caFile });
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="basic-realm"');
  });

  it('answers 200 with credentials when the CA is trusted', async () => {
    const res = await get(`${registry.url}/v2/`, { ca: registry.caFile, authorization: basic });
    assert.equal(res.status, 200);
  });

  it('fails TLS verification when only an unrelated CA is trusted', async () => {
    const { caCert } = await otherCA();
    await assert.rejects(get(`${registry.url}/v2/`, { ca: caCert, authorization: basic }),
      (err: NodeJS.ErrnoException) => /CERT|SIGNATURE|ISSUER/.test(String(err.code)));
  });

  it('lets skopeo read a seeded image with --creds and --cert-dir', async () => {
    const image = await seedImage({ url: registry.url, ca: registry.caFile, authHeader: basic }, 'alice/app', 'v1');
    const { stdout } = await skopeo('inspect', '--creds', 'alice:secret', '--cert-dir', dirname(registry.caFile!),
      '--format', '{{.Digest}}', `docker://${registry.host}/alice/app:v1`);
    assert.equal(stdout.trim(), image.digest);
  });
});

describe('token registry', () => {
  const acl = (user: string | undefined, name: string): string[] => {
    if (user === 'alice') return name === CATALOG ? ['*'] : name.startsWith('alice/') ? ['pull', 'push'] : [];
    return name.startsWith('public/') ? ['pull'] : [];
  };
  const users = { alice: 'secret', bob: 'hunter2' };
  let tokens: TokenServerHandle;
  let registry: RegistryHandle;
  let manifestUrl: string;
  before(async () => {
    tokens = await startTokenServer({ service: 'test-registry', issuer: 'test-issuer', users, acl });
    registry = await startRegistry({ auth: 'token', token: tokens });
    const access = [{ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] }];
    await seedImage({ url: registry.url, authHeader: `Bearer ${tokens.issueToken('alice', access)}` }, 'alice/app', 'v1');
    manifestUrl = `${registry.url}/v2/alice/app/manifests/v1`;
  });
  after(() => tokens.stop());

  it('challenges with Bearer realm and service', async () => {
    const res = await get(`${registry.url}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], `Bearer realm="${tokens.realm}",service="test-registry"`);
  });

  it('grants pull through the GET flow and records the request without secrets', async () => {
    const before = tokens.requests.length;
    const body = await getToken({ scope: 'repository:alice/app:pull' }, 'alice:secret');
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);
    const res = await get(manifestUrl, { authorization: `Bearer ${body.token}`, accept: MANIFEST_V2 });
    assert.equal(res.status, 200);
    const [recorded] = tokens.requests.slice(before);
    assert.equal(recorded.user, 'alice');
    assert.deepEqual(recorded.query.getAll('scope'), ['repository:alice/app:pull']);
  });

  it('grants a partial scope, which the registry refuses with insufficient_scope', async () => {
    const body = await getToken({ scope: 'repository:alice/app:pull,push' }, 'bob:hunter2');
    const res = await get(manifestUrl, { authorization: `Bearer ${body.token}` });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /scope="repository:alice\/app:pull",error="insufficient_scope"/);
    assert.equal(JSON.parse(res.body.toString()).errors[0].code, 'UNAUTHORIZED');
  });

  it('refuses a wrong password with 401 and gives anonymous tokens without credentials', async () => {
    const bad = await get(`${tokens.realm}?${new URLSearchParams({ service: 'test-registry' })}`,
      { authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` });
    assert.equal(bad.status, 401);
    const anonymous = await getToken({ scope: 'repository:public/x:pull,push' });
    const claims = JSON.parse(Buffer.from(anonymous.token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'public/x', actions: ['pull'] }]);
    assert.equal(claims.sub, '');
  });

  it('grants registry:catalog:* by the CATALOG convention', async () => {
    const body = await getToken({ scope: 'registry:catalog:*' }, 'alice:secret');
    const res = await get(`${registry.url}/v2/_catalog`, { authorization: `Bearer ${body.token}` });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()).repositories, ['alice/app']);
  });

  it('returns a refresh token from the GET flow with offline_token=true', async () => {
    const body = await getToken({ scope: 'repository:alice/app:pull', offline_token: 'true', client_id: 'regctl' }, 'alice:secret');
    assert.ok(body.refresh_token);
    const anonymous = await getToken({ scope: 'repository:alice/app:pull', offline_token: 'true', client_id: 'regctl' });
    assert.equal(anonymous.refresh_token, undefined);
  });

  it('returns a refresh token from the POST password flow that works with POST and as a GET password', async () => {
    const first = await postToken({
      grant_type: 'password', username: 'alice', password: 'secret', access_type: 'offline',
      service: 'test-registry', client_id: 'regctl', scope: 'repository:alice/app:pull',
    });
    assert.equal(first.status, 200);
    assert.ok(first.body.refresh_token);
    const second = await postToken({
      grant_type: 'refresh_token', refresh_token: first.body.refresh_token, service: 'test-registry',
      client_id: 'regctl', scope: 'repository:alice/app:pull',
    });
    assert.equal(second.status, 200);
    assert.equal(second.body.token, undefined);
    const res = await get(manifestUrl, { authorization: `Bearer ${second.body.access_token}`, accept: MANIFEST_V2 });
    assert.equal(res.status, 200);
    const recorded = tokens.requests.at(-1)!;
    assert.equal(recorded.user, 'alice');
    assert.equal(recorded.form?.get('grant_type'), 'refresh_token');
    assert.equal(recorded.form?.has('refresh_token'), false);
    const bad = await postToken({ grant_type: 'refresh_token', refresh_token: 'nope', service: 'test-registry' });
    assert.equal(bad.status, 401);
    const viaGet = await getToken({ scope: 'repository:alice/app:pull' }, `alice:${first.body.refresh_token}`);
    assert.equal((await get(manifestUrl, { authorization: `Bearer ${viaGet.token}` })).status, 200);
  });

  it('answers POST with 404 when postEnabled is false', async () => {
    const getOnly = await startTokenServer({ service: 's', issuer: 'i', users, acl, postEnabled: false });
    try {
      const res = await request(getOnly.realm, { method: 'POST', body: 'grant_type=password' });
      await res.body.dump();
      assert.equal(res.statusCode, 404);
    } finally {
      await getOnly.stop();
    }
  });

  it('rejects a token whose issuer the registry does not expect', async () => {
    const other = await startRegistry({ auth: 'token', token: tokens, issuer: 'someone-else' });
    const body = await getToken({ scope: 'repository:alice/app:pull' }, 'alice:secret');
    const res = await get(`${other.url}/v2/alice/app/tags/list`, { authorization: `Bearer ${body.token}` });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
    await other.stop();
  });

  async function getToken(params: Record<string, string>, credentials?: string): Promise<Record<string, string>> {
    const query = new URLSearchParams({ service: 'test-registry', ...params });
    const authorization = credentials && `Basic ${Buffer.from(credentials).toString('base64')}`;
    const res = await get(`${tokens.realm}?${query}`, { ...(authorization && { authorization }) });
    assert.equal(res.status, 200, res.body.toString());
    return JSON.parse(res.body.toString());
  }

  async function postToken(form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
    const res = await request(tokens.realm, {
      method: 'POST', body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return { status: res.statusCode, body: await res.body.json() as Record<string, string> };
  }
});

describe('search fixture', () => {
  it('filters by q and limits to n', async () => {
    const result = (name: string, is_official = false) =>
      ({ name, description: `${name} image`, star_count: 1, is_official, is_automated: false });
    const search = await startSearchFixture([result('mysql', true), result('bitnami/mysql'), result('nginx', true)]);
    try {
      const res = await get(`${search.url}/v1/search?q=mysql&n=1`);
      const body = JSON.parse(res.body.toString());
      assert.deepEqual(
        { num_results: body.num_results, num_pages: body.num_pages, page_size: body.page_size, query: body.query },
        { num_results: 2, num_pages: 2, page_size: 1, query: 'mysql' });
      assert.deepEqual(body.results, [result('mysql', true)]);
      assert.equal(search.requests[0].get('n'), '1');
    } finally {
      await search.stop();
    }
  });
});

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function get(url: string, opts: { ca?: string; authorization?: string; accept?: string } = {}): Promise<Fetched> {
  const dispatcher = new Agent({ connect: opts.ca ? { ca: await readFile(opts.ca) } : {} });
  try {
    const headers: Record<string, string> = {};
    if (opts.authorization) headers.authorization = opts.authorization;
    if (opts.accept) headers.accept = opts.accept;
    const res = await request(url, { headers, dispatcher });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  } finally {
    await dispatcher.close();
  }
}

function skopeo(...args: string[]): Promise<{ stdout: string }> {
  return execFileAsync('skopeo', args);
}

function run(command: string, args: string[], input: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin!.end(input);
  });
}
