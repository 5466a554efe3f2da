// On a terminal, login asks for the username and the password (without echo), and --creds USER asks for the
// password, like docker and skopeo. Runs the built bin/regctl.cjs on a pseudo-terminal.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInPty } from './helpers/pty.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');
const PASSWORD = 'tty-pw-9876';

describe('prompts on a terminal', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd', tls: true, users: { alice: PASSWORD } });
    image = await seedImage({ url: reg.url, ca: reg.caFile!, authHeader: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` }, 'alice/app', '1');
    home = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  test('login asks for the username (echoed) and the password (not echoed), then stores them', async () => {
    const r = await runInPty([process.execPath, BIN, 'login', reg.host], home.env, [
      { expect: 'Username: ', send: 'alice\r' },
      { expect: 'Password: ', send: `${PASSWORD}\r` },
    ]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Username: alice\r?\n/);
    assert.match(r.output, /Login Succeeded/);
    assert.ok(!r.output.includes(PASSWORD), `the password was echoed: ${JSON.stringify(r.output)}`);
    const cfg = JSON.parse(await readFile(home.dockerConfig, 'utf8'));
    assert.equal(cfg.auths[reg.host].auth, Buffer.from(`alice:${PASSWORD}`).toString('base64'));
  });

  test('a script that answers the password prompt the moment it appears never gets the password echoed', async () => {
    // Echo goes off before "Password: " is written: an answer sent on seeing it cannot arrive while the terminal
    // still echoes. Several logins, each answered with no delay at all, make a race visible.
    for (let i = 0; i < 5; i++) {
      const h = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
      try {
        const r = await runInPty([process.execPath, BIN, 'login', reg.host, '-u', 'alice'], h.env, [
          { expect: 'Password: ', send: `${PASSWORD}\r`, delay: 0 },
        ]);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /Login Succeeded/);
        assert.ok(!r.output.includes(PASSWORD), `login ${i + 1}: the password was echoed: ${JSON.stringify(r.output)}`);
      } finally {
        await h.cleanup();
      }
    }
  });

  test('a wrong password typed at the prompt: exit 4', async () => {
    const h = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
    try {
      const r = await runInPty([process.execPath, BIN, 'login', reg.host, '-u', 'alice'], h.env, [
        { expect: 'Password: ', send: 'wrong-one\x7f\x7f\x7fxyz\r' },
      ]);
      assert.equal(r.code, 4, r.output);
      assert.match(r.output, /wrong username or password/);
      assert.ok(!r.output.includes('wrong-one') && !r.output.includes('wrong-xyz'));
    } finally {
      await h.cleanup();
    }
  });

  test('--creds USER asks for the password on a terminal', async () => {
    const h = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
    try {
      const r = await runInPty([process.execPath, BIN, 'digest', '--creds', 'alice', `${reg.host}/alice/app:1`], h.env, [
        { expect: 'Password for alice: ', send: `${PASSWORD}\r` },
      ]);
      assert.equal(r.code, 0, r.output);
      assert.ok(r.output.includes(image.digest), r.output);
      assert.ok(!r.output.includes(PASSWORD));
    } finally {
      await h.cleanup();
    }
  });

  test('Ctrl-C at the password prompt cancels without storing anything', async () => {
    const h = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
    try {
      const r = await runInPty([process.execPath, BIN, 'login', reg.host, '-u', 'alice'], h.env, [
        { expect: 'Password: ', send: 'abc\x03' },
      ]);
      assert.equal(r.code, 1, r.output);
      assert.match(r.output, /regctl: cancelled/);
      await assert.rejects(readFile(h.dockerConfig));
    } finally {
      await h.cleanup();
    }
  });
});
