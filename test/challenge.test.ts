import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, pickChallenge } from '../src/transport/challenge.js';

const cases: { name: string; header: string | string[]; want: { scheme: string; params: Record<string, string> }[] }[] = [
  {
    name: 'Docker Hub bearer',
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
    want: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } }],
  },
  {
    name: 'insufficient scope with error',
    header: 'Bearer realm="https://a/token",service="s",scope="repository:x:pull",error="insufficient_scope"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 's', scope: 'repository:x:pull', error: 'insufficient_scope' } }],
  },
  { name: 'basic', header: 'Basic realm="Registry Realm"', want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
  { name: 'case-insensitive scheme and keys', header: 'BEARER Realm="r", SERVICE=svc', want: [{ scheme: 'bearer', params: { realm: 'r', service: 'svc' } }] },
  { name: 'escapes in quoted strings', header: 'Basic realm="a \\"quoted\\" realm\\\\x"', want: [{ scheme: 'basic', params: { realm: 'a "quoted" realm\\x' } }] },
  { name: 'comma inside quotes', header: 'Bearer realm="https://t/token",scope="repository:a:pull,push repository:b:pull"', want: [{ scheme: 'bearer', params: { realm: 'https://t/token', scope: 'repository:a:pull,push repository:b:pull' } }] },
  { name: 'spaces around =', header: 'Bearer realm = "r" , service = "s"', want: [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }] },
  {
    name: 'two challenges in one header',
    header: 'Basic realm="b", Bearer realm="t",service="s"',
    want: [{ scheme: 'basic', params: { realm: 'b' } }, { scheme: 'bearer', params: { realm: 't', service: 's' } }],
  },
  {
    name: 'repeated headers',
    header: ['Basic realm="b"', 'Bearer realm="t"'],
    want: [{ scheme: 'basic', params: { realm: 'b' } }, { scheme: 'bearer', params: { realm: 't' } }],
  },
  { name: 'scheme with no params', header: 'Negotiate', want: [{ scheme: 'negotiate', params: {} }] },
  { name: 'unterminated quote', header: 'Bearer realm="abc', want: [{ scheme: 'bearer', params: { realm: 'abc' } }] },
  { name: 'empty header', header: '', want: [] },
];

for (const c of cases) {
  test(`parseChallenges: ${c.name}`, () => {
    assert.deepEqual(parseChallenges(c.header), c.want);
  });
}

test('pickChallenge prefers Bearer, ignores unknown schemes', () => {
  assert.equal(pickChallenge(parseChallenges('Basic realm="b", Bearer realm="t"'))?.scheme, 'bearer');
  assert.equal(pickChallenge(parseChallenges('Negotiate, Basic realm="b"'))?.scheme, 'basic');
  assert.equal(pickChallenge(parseChallenges('Negotiate')), undefined);
});

// No clock in the assertion: a quadratic parser spends minutes on 400,000 characters, a linear one well under a second,
// so the test's own time limit tells them apart however loaded the machine is.
test('parseChallenges is linear on hostile input', { timeout: 60_000 }, () => {
  assert.equal(parseChallenges(`Bearer ${'a="\\'.repeat(100_000)}`).length, 1);
  assert.ok(parseChallenges(`Bearer ${',,,,'.repeat(100_000)}`).length <= 1);
});
