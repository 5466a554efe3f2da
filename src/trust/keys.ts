import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { AuthError, RegctlError, UsageError } from '../errors.js';

/**
 * Signing keys as cosign keeps them. A cosign private key is PEM armour (`ENCRYPTED SIGSTORE PRIVATE KEY`, or the
 * older `ENCRYPTED COSIGN PRIVATE KEY`) around JSON (go-securesystemslib's `encrypted` format):
 *
 *     {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<base64>"},
 *      "cipher":{"name":"nacl/secretbox","nonce":"<base64>"},"ciphertext":"<base64>"}
 *
 * The secretbox key is scrypt(passphrase, salt, N, r, p, 32 bytes); the plaintext is the key's PKCS#8 DER. The public
 * key is a `PUBLIC KEY` PEM (SubjectPublicKeyInfo). Plain `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC 1) and
 * OpenSSL's `ENCRYPTED PRIVATE KEY` are read too. Signatures are ECDSA P-256 over SHA-256, ASN.1 DER encoded.
 */

export const SIGSTORE_PRIVATE_KEY = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PRIVATE_KEY = 'ENCRYPTED COSIGN PRIVATE KEY';

/** cosign's (go-securesystemslib's) scrypt parameters. */
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const SALT_BYTES = 32;
const NONCE_BYTES = 24;
/** The most memory a key file may make scrypt take (cosign's N=32768, r=8 needs 32 MiB). */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** A PEM block: its label and DER bytes. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

/** The first PEM block of `text` (headers such as `Proc-Type` are refused: that is legacy OpenSSL encryption). */
export function parsePem(text: string, what: string): PemBlock {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) throw new RegctlError('ERR_KEY_INVALID', `${what}: not a PEM file (no -----BEGIN …----- block)`);
  const body = m[2]!;
  if (/^[A-Za-z-]+:/m.test(body)) {
    if (/^(RSA|EC) PRIVATE KEY$/.test(m[1]!)) throw unsupported(what, `a legacy OpenSSL-encrypted "${m[1]}" (convert it to PKCS#8: openssl pkcs8 -topk8)`);
    throw unsupported(what, `a "${m[1]}" block`);
  }
  return { label: m[1]!, der: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
}

/** PEM armour, 64 base64 characters a line. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The key's fingerprint: the sha256 of its SubjectPublicKeyInfo DER, hex (what verify prints as the signer). */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ format: 'der', type: 'spki' })).digest('hex');
}

/** The public key as a `PUBLIC KEY` PEM (what cosign writes to cosign.pub). */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'pem', type: 'spki' }).toString();
}

/** What a key is, for messages: `ECDSA P-256`, `RSA 2048-bit`, `ed25519`. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': return `ECDSA ${CURVES[d.namedCurve ?? ''] ?? d.namedCurve ?? 'unknown curve'}`;
    case 'rsa': case 'rsa-pss': return `${key.asymmetricKeyType.toUpperCase()} ${d.modulusLength ?? '?'}-bit`;
    default: return key.asymmetricKeyType ?? 'unknown';
  }
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp224r1: 'P-224', secp256k1: 'secp256k1' };

/** Refuses every key but ECDSA P-256 (the one scheme cosign's signature spec requires), naming what it is. */
export function requireP256(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return key;
  throw unsupported(what, `an ${describeKey(key)} key`);
}

function unsupported(what: string, kind: string): RegctlError {
  return new RegctlError('ERR_KEY_UNSUPPORTED', `${what}: ${kind}: regctl signs and verifies with ECDSA P-256 keys only`, 1, {
    hint: 'make one with: regctl generate-key (or cosign generate-key-pair)',
  });
}

/** Reads a public key (`PUBLIC KEY` PEM); an ECDSA P-256 key, or an error naming the key type it is. */
export function readPublicKey(text: string | Buffer, what: string): KeyObject {
  const block = parsePem(text.toString(), what);
  if (block.label !== 'PUBLIC KEY') {
    if (/PRIVATE KEY/.test(block.label)) throw new UsageError(`${what}: a private key ("${block.label}"), not a public key`, { hint: 'verify with the public key (cosign.pub)' });
    throw new RegctlError('ERR_KEY_INVALID', `${what}: a "${block.label}" PEM block, not a public key ("PUBLIC KEY")`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch (err) {
    throw new RegctlError('ERR_KEY_INVALID', `${what}: unreadable public key: ${(err as Error).message}`, 1, { cause: err });
  }
  return requireP256(key, what);
}

/** The passphrase of an encrypted key: given, or asked for only when the key turns out to be encrypted. */
export type Passphrase = string | Buffer | (() => Promise<string | Buffer> | string | Buffer);

/**
 * Reads a private key: cosign's encrypted PEM (either label), PKCS#8 (`PRIVATE KEY`, or OpenSSL's `ENCRYPTED
 * PRIVATE KEY`) or SEC 1 (`EC PRIVATE KEY`). A wrong passphrase is an AuthError (exit 4, ERR_BAD_PASSPHRASE); a key
 * that is not ECDSA P-256 is refused naming its type.
 */
export async function readPrivateKey(text: string | Buffer, passphrase: Passphrase | undefined, what: string): Promise<KeyObject> {
  const block = parsePem(text.toString(), what);
  const ask = async (): Promise<Buffer> => {
    if (passphrase === undefined) throw new UsageError(`${what} is encrypted: a passphrase is needed`, { option: 'passphrase' });
    const p = typeof passphrase === 'function' ? await passphrase() : passphrase;
    return Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8');
  };
  let key: KeyObject;
  switch (block.label) {
    case SIGSTORE_PRIVATE_KEY:
    case COSIGN_PRIVATE_KEY: {
      const der = decryptCosignKey(block.der, await ask(), what);
      try {
        key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      } catch (err) {
        if (isSec1(der)) throw new RegctlError('ERR_KEY_INVALID', `${what}: the encrypted key holds a SEC 1 EC key, not PKCS#8 (cosign refuses it too)`);
        throw new RegctlError('ERR_KEY_INVALID', `${what}: unreadable PKCS#8 private key: ${(err as Error).message}`, 1, { cause: err });
      }
      break;
    }
    case 'PRIVATE KEY': key = derKey(block.der, 'pkcs8', what); break;
    case 'EC PRIVATE KEY': key = derKey(block.der, 'sec1', what); break;
    case 'ENCRYPTED PRIVATE KEY': {
      const pass = await ask();
      try {
        key = createPrivateKey({ key: block.der, format: 'der', type: 'pkcs8', passphrase: pass });
      } catch (err) {
        throw badPassphrase(what, err);
      }
      break;
    }
    case 'RSA PRIVATE KEY': throw unsupported(what, 'an RSA key ("RSA PRIVATE KEY")');
    case 'PUBLIC KEY': throw new UsageError(`${what}: a public key, not a private key`, { hint: 'sign with the private key (cosign.key)' });
    default: throw unsupported(what, `a "${block.label}" PEM block`);
  }
  return requireP256(key, what);
}

/** Whether DER bytes (that are not PKCS#8) are a SEC 1 EC private key. */
function isSec1(der: Buffer): boolean {
  try {
    createPrivateKey({ key: der, format: 'der', type: 'sec1' });
    return true;
  } catch {
    return false;
  }
}

function derKey(der: Buffer, type: 'pkcs8' | 'sec1', what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch (err) {
    throw new RegctlError('ERR_KEY_INVALID', `${what}: unreadable ${type === 'sec1' ? 'SEC 1 EC' : 'PKCS#8'} private key: ${(err as Error).message}`, 1, { cause: err });
  }
}

function badPassphrase(what: string, cause?: unknown): AuthError {
  return new AuthError(`${what}: wrong passphrase (the key does not decrypt with it)`, { code: 'ERR_BAD_PASSPHRASE', cause, hint: 'set COSIGN_PASSWORD or --passphrase-file to the key\'s passphrase' });
}

/** Opens cosign's encrypted JSON (the PEM block's bytes) with a passphrase: the PKCS#8 DER inside. */
export function decryptCosignKey(json: Buffer, passphrase: Buffer, what: string): Buffer {
  const malformed = (why: string) => new RegctlError('ERR_KEY_INVALID', `${what}: malformed encrypted key: ${why}`);
  let doc: { kdf?: { name?: unknown; params?: { N?: unknown; r?: unknown; p?: unknown }; salt?: unknown }; cipher?: { name?: unknown; nonce?: unknown }; ciphertext?: unknown };
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (doc?.kdf?.name !== 'scrypt') throw malformed(`key derivation ${JSON.stringify(doc?.kdf?.name)} (only scrypt is known)`);
  if (doc.cipher?.name !== 'nacl/secretbox') throw malformed(`cipher ${JSON.stringify(doc.cipher?.name)} (only nacl/secretbox is known)`);
  const { N, r, p } = doc.kdf.params ?? {};
  if (![N, r, p].every((v) => Number.isSafeInteger(v) && (v as number) > 0)) throw malformed('scrypt parameters N, r, p must be positive integers');
  const memory = 128 * (N as number) * (r as number) + 128 * (r as number) * (p as number);
  if (memory > MAX_SCRYPT_MEMORY) throw malformed(`scrypt parameters would take ${memory} bytes of memory (at most ${MAX_SCRYPT_MEMORY})`);
  const salt = base64Field(doc.kdf.salt, 'kdf.salt', malformed);
  const nonce = base64Field(doc.cipher.nonce, 'cipher.nonce', malformed);
  const ciphertext = base64Field(doc.ciphertext, 'ciphertext', malformed);
  if (nonce.length !== NONCE_BYTES) throw malformed(`nonce of ${nonce.length} bytes (secretbox takes ${NONCE_BYTES})`);
  let secret: Buffer;
  try {
    secret = scryptSync(passphrase, salt, 32, { N: N as number, r: r as number, p: p as number, maxmem: memory + 1024 * 1024 });
  } catch (err) {
    throw malformed(`scrypt: ${(err as Error).message}`);
  }
  try {
    return Buffer.from(xsalsa20poly1305(secret, nonce).decrypt(ciphertext));
  } catch (err) {
    throw badPassphrase(what, err);
  }
}

function base64Field(v: unknown, name: string, malformed: (why: string) => Error): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw malformed(`${name} is not base64`);
  return Buffer.from(v, 'base64');
}

/** Encrypts PKCS#8 DER the way cosign does: the JSON document (the PEM block's bytes). */
export function encryptCosignKey(der: Buffer, passphrase: Buffer): Buffer {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const secret = scryptSync(passphrase, salt, 32, { ...SCRYPT, maxmem: 128 * SCRYPT.N * SCRYPT.r + 1024 * 1024 });
  const ciphertext = Buffer.from(xsalsa20poly1305(secret, nonce).encrypt(der));
  return Buffer.from(JSON.stringify({
    kdf: { name: 'scrypt', params: { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  }));
}

/** A new ECDSA P-256 key pair in cosign's files: the encrypted private key PEM and the public key PEM. */
export interface GeneratedKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** sha256 of the public key's SubjectPublicKeyInfo, hex. */
  fingerprint: string;
}

/** Makes a key pair as `cosign generate-key-pair` does (`ENCRYPTED SIGSTORE PRIVATE KEY`; an empty passphrase is allowed, as in cosign). */
export function generateKeyPair(passphrase: string | Buffer): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const pass = Buffer.isBuffer(passphrase) ? passphrase : Buffer.from(passphrase, 'utf8');
  return {
    privateKeyPem: toPem(SIGSTORE_PRIVATE_KEY, encryptCosignKey(der, pass)),
    publicKeyPem: publicKeyPem(publicKey),
    fingerprint: keyFingerprint(publicKey),
  };
}
