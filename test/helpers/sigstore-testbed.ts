// A Sigstore trust domain of our own for keyless tests, built with @sigstore/mock: a test CA as "Fulcio" (its root
// in the trusted root; leaf certificates valid 10 minutes with an embedded SCT from a test CT log) and a test
// transparency log (Rekor-like entries with a signed entry timestamp, an inclusion proof and a signed checkpoint).
// `trustedRoot` is a trusted_root.json for them; `signDsse` makes a keyless DSSE bundle v0.3 as a CI workflow would.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';

export const TEST_ISSUER = 'https://token.actions.example.test';
export const TEST_IDENTITY = 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main';
const TLOG_URL = 'https://tlog.example.test';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

function ecKeys() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export interface KeylessOptions {
  identity?: string;
  issuer?: string;
  /** When the certificate is issued (default: now). */
  certTime?: Date;
  /** When the log integrates the entry (default: 5 s after certTime). */
  logTime?: Date;
}

export interface Testbed {
  trustedRoot: Record<string, unknown>;
  /** A keyless bundle over an in-toto statement (DSSE), its log entry included. */
  signDsse(statement: unknown, opts?: KeylessOptions): Promise<Record<string, unknown>>;
}

export async function makeTestbed(): Promise<Testbed> {
  const start = new Date(Date.now() - 60_000).toISOString();
  const ctKeys = ecKeys();
  const tlogKeys = ecKeys();
  const caKeys = ecKeys();
  const ctlog = await initializeCTLog(ctKeys);
  const spki = (k: typeof ctKeys) => k.publicKey.export({ type: 'spki', format: 'der' });
  const logKey = (k: typeof ctKeys, baseUrl: string, keyId: Buffer) => ({
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: spki(k).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: keyId.toString('base64') },
  });
  // The CA's root is created now (valid from now): certificates must be issued at or after this moment.
  const rootCA = await initializeCA(caKeys, ctlog);
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(tlogKeys, TLOG_URL, createHash('sha256').update(spki(tlogKeys)).digest())],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: 'https://fulcio.example.test',
      certChain: { certificates: [{ rawBytes: Buffer.from(rootCA.rootCertificate as Uint8Array).toString('base64') }] },
      validFor: { start },
    }],
    ctlogs: [logKey(ctKeys, 'https://ctfe.example.test', Buffer.from(ctlog.logID as Uint8Array))],
    timestampAuthorities: [],
  };

  return {
    trustedRoot,
    async signDsse(statement, opts = {}) {
      const certTime = opts.certTime ?? new Date(Date.now() + 1000);
      const logTime = opts.logTime ?? new Date(certTime.getTime() + 5000);
      // Same CA keys and CT log, issuing at certTime.
      const ca = await initializeCA(caKeys, ctlog, certTime);
      // initializeCA makes a new self-signed root each time from the same key: sign with it, but chain to the root
      // in the trusted root (same subject and key, so the leaf verifies against it).
      const leafKeys = ecKeys();
      const cert = Buffer.from(await ca.issueCertificate({
        publicKey: spki(leafKeys) as unknown as ArrayBufferView<ArrayBuffer>,
        subjectAltName: opts.identity ?? TEST_IDENTITY,
        extensions: [{ oid: OID_ISSUER_V2, value: opts.issuer ?? TEST_ISSUER }],
      }) as Uint8Array);
      const payloadType = 'application/vnd.in-toto+json';
      const payload = Buffer.from(JSON.stringify(statement));
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
      const sig = sign('sha256', pae, leafKeys.privateKey);
      const envelope = { payload: payload.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64') }] };
      const pem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64')}\n-----END CERTIFICATE-----\n`;
      const tlog = await initializeTLog(TLOG_URL, tlogKeys, logTime);
      const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
      const logged = await tlog.log({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha(JSON.stringify(envelope)) },
          payloadHash: { algorithm: 'sha256', value: sha(payload) },
          signatures: [{ signature: sig.toString('base64'), verifier: Buffer.from(pem).toString('base64') }],
        },
      });
      const entry = Object.values(logged)[0] as { body: string; integratedTime: number; logID: string; logIndex: number;
        verification?: { signedEntryTimestamp?: string; inclusionProof?: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string } } };
      const proof = entry.verification!.inclusionProof!;
      return {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: {
          certificate: { rawBytes: cert.toString('base64') },
          tlogEntries: [{
            logIndex: String(entry.logIndex),
            logId: { keyId: Buffer.from(entry.logID, 'hex').toString('base64') },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: String(entry.integratedTime),
            inclusionPromise: { signedEntryTimestamp: entry.verification!.signedEntryTimestamp },
            inclusionProof: {
              logIndex: String(proof.logIndex),
              rootHash: Buffer.from(proof.rootHash, 'hex').toString('base64'),
              treeSize: String(proof.treeSize),
              hashes: proof.hashes,
              checkpoint: { envelope: proof.checkpoint },
            },
            canonicalizedBody: entry.body,
          }],
          timestampVerificationData: { rfc3161Timestamps: [] },
        },
        dsseEnvelope: envelope,
      };
    },
  };
}
