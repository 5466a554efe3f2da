// Test certificates made with the `openssl` CLI, once per process.
//
// A CA's `dir` holds its certificate as `ca.crt` and every other file under a `.pem` name, so the
// directory can be handed as is to `skopeo --cert-dir` (or a docker certs.d folder), which reads
// `*.crt` as CAs and would take `*.key`/`*.cert` for a client key pair.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface CA {
  dir: string;
  caCert: string;
  caKey: string;
}

export interface TestCA extends CA {
  /** Server certificate for IP:127.0.0.1 and DNS:localhost, signed by the CA. */
  serverCert: string;
  serverKey: string;
}

const execFileAsync = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const dirs = new Set<string>();
process.once('exit', () => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let testCAPromise: Promise<TestCA> | undefined;
let otherCAPromise: Promise<CA> | undefined;

/** The CA the test registries trust, and a server certificate it signed. */
export function testCA(): Promise<TestCA> {
  testCAPromise ??= makeTestCA();
  return testCAPromise;
}

/** A second CA that signed nothing: trusting only it must fail against the test registries. */
export function otherCA(): Promise<CA> {
  otherCAPromise ??= tempDir('regctl-other-ca-').then((dir) => makeCA(dir, 'regctl unrelated CA'));
  return otherCAPromise;
}

/** A self-signed RSA certificate and its key, as PEM files in `dir`. */
export async function selfSignedRSA(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key.pem`);
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '7', '-subj', `/CN=${name}`]);
  return { cert, key };
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (Debian package: openssl)');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

async function makeTestCA(): Promise<TestCA> {
  const ca = await makeCA(await tempDir('regctl-test-ca-'), 'regctl test CA');
  const serverCert = join(ca.dir, 'server.pem');
  const serverKey = join(ca.dir, 'server.key.pem');
  const csr = join(ca.dir, 'server.csr.pem');
  const ext = join(ca.dir, 'server.ext.pem');
  await writeFile(ext, [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
  ].join('\n'));
  await openssl(ca.dir, ['req', '-new', ...EC_KEY, '-keyout', serverKey, '-out', csr, '-subj', '/CN=localhost']);
  await openssl(ca.dir, ['x509', '-req', '-in', csr, '-CA', ca.caCert, '-CAkey', ca.caKey,
    '-set_serial', String(Date.now()), '-days', '7', '-extfile', ext, '-out', serverCert]);
  await Promise.all([rm(csr), rm(ext)]);
  return { ...ca, serverCert, serverKey };
}

async function makeCA(dir: string, commonName: string): Promise<CA> {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key.pem');
  await openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', caKey, '-out', caCert, '-days', '7',
    '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { dir, caCert, caKey };
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}
