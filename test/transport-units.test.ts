import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback, resolveEndpoint, searchBase } from '../src/transport/endpoint.js';
import { redactUrl } from '../src/transport/redact.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter } from '../src/transport/retry.js';
import { mergeScopes } from '../src/transport/scope.js';
import { nextPath } from '../src/registry/paging.js';

test('mergeScopes unions actions per resource', () => {
  assert.deepEqual(mergeScopes(['repository:a:pull'], ['repository:a:push', 'repository:b:pull']), ['repository:a:pull,push', 'repository:b:pull']);
  assert.deepEqual(mergeScopes(['repository:a:pull repository:c:pull'], ['registry:catalog:*']), ['registry:catalog:*', 'repository:a:pull', 'repository:c:pull']);
  assert.deepEqual(mergeScopes(['repository:a:pull,push'], ['repository:a:pull']), ['repository:a:pull,push']);
});

test('parseRetryAfter: seconds, HTTP date, cap, junk', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', defaultRetryPolicy, now), 3000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', defaultRetryPolicy, now), 5000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', defaultRetryPolicy, now), 0);
  assert.equal(parseRetryAfter('86400', defaultRetryPolicy, now), defaultRetryPolicy.maxRetryAfterMs);
  assert.equal(parseRetryAfter('soon', defaultRetryPolicy, now), undefined);
  assert.equal(parseRetryAfter(undefined, defaultRetryPolicy, now), undefined);
});

test('backoffDelay doubles with jitter and is capped', () => {
  const p = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelay(p, 1, () => 0.5), 100);
  assert.equal(backoffDelay(p, 3, () => 0.5), 400);
  assert.equal(backoffDelay(p, 10, () => 0.5), 1000);
  assert.equal(backoffDelay(p, 1, () => 0), 75);
  assert.equal(backoffDelay(p, 1, () => 1), 125);
});

test('resolveEndpoint: Docker Hub, loopback fallback, insecure, configured endpoint', () => {
  const hub = resolveEndpoint('docker.io', undefined, false);
  assert.deepEqual(hub.candidates.map(String), ['https://registry-1.docker.io/']);
  assert.equal(hub.tlsVerify, true);
  assert.deepEqual(resolveEndpoint('localhost:5000', undefined, false).candidates.map(String), ['https://localhost:5000/', 'http://localhost:5000/']);
  assert.equal(resolveEndpoint('127.0.0.1:5000', undefined, false).tlsVerify, true);
  assert.deepEqual(resolveEndpoint('reg.example', undefined, false).candidates.map(String), ['https://reg.example/']);
  const insecure = resolveEndpoint('reg.example', { insecure: true }, false);
  assert.deepEqual(insecure.candidates.map(String), ['https://reg.example/', 'http://reg.example/']);
  assert.equal(insecure.tlsVerify, false);
  assert.equal(resolveEndpoint('reg.example', undefined, true).tlsVerify, false);
  assert.deepEqual(resolveEndpoint('docker.io', { endpoint: 'http://127.0.0.1:5000' }, false).candidates.map(String), ['http://127.0.0.1:5000/']);
});

test('isLoopback', () => {
  for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) assert.ok(isLoopback(h), h);
  for (const h of ['10.0.0.1:5000', 'reg.example', '128.0.0.1', 'localhost.example', '[::2]:5000']) assert.ok(!isLoopback(h), h);
});

test('searchBase: Hub index by default, configured, none for others', () => {
  assert.equal(searchBase('docker.io', undefined), 'https://index.docker.io');
  assert.equal(searchBase('docker.io', { search: 'http://127.0.0.1:5003' }), 'http://127.0.0.1:5003');
  assert.equal(searchBase('reg.example', undefined), undefined);
});

test('redactUrl removes userinfo and secret query values', () => {
  assert.equal(redactUrl('https://u:p@h/x?verify=abc&n=1'), 'https://h/x?verify=REDACTED&n=1');
});

test('nextPath follows rel="next" links relative to the base and refuses other hosts', () => {
  const base = new URL('http://127.0.0.1:5000/');
  assert.equal(nextPath('</v2/a/tags/list?last=b&n=2>; rel="next"', base), '/v2/a/tags/list?last=b&n=2');
  assert.equal(nextPath('<http://127.0.0.1:5000/v2/_catalog?last=x>; rel=next', base), '/v2/_catalog?last=x');
  assert.equal(nextPath('<http://evil.example/v2/_catalog?last=x>; rel="next"', base), undefined);
  assert.equal(nextPath('</v2/x>; rel="prev", </v2/y?last=1>; rel="next"', base), '/v2/y?last=1');
  assert.equal(nextPath(undefined, base), undefined);
  const prefixed = new URL('http://127.0.0.1:5000/mirror/');
  assert.equal(nextPath('</mirror/v2/a/tags/list?last=b>; rel="next"', prefixed), '/v2/a/tags/list?last=b');
});
