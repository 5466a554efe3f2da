import { readFile, stat } from 'node:fs/promises';
import { writeTo } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { parseReference } from '../ref/parse.js';
import type { Reference } from '../ref/reference.js';
import { generateKeyPair, keyFingerprint, readPrivateKey, readPublicKey, type Passphrase } from '../trust/keys.js';
import { signImage, type SignedManifest } from '../trust/sign.js';
import type { IdentityMatch, SignatureCheck, SignatureFormat } from '../trust/types.js';
import { checkSignatures, requireTrusted } from '../trust/verify.js';
import { readKeyless } from './verify-attestation.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { fsError } from '../util/fs-error.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { dockerTransport } from './transports/docker.js';
import { locationRegistries, parseLocation } from './transports/index.js';

export type { Passphrase } from '../trust/keys.js';
export type { SignedManifest } from '../trust/sign.js';
export type { SignatureCheck, SignatureFormat } from '../trust/types.js';

/** The options of generateKey. */
export interface GenerateKeyOptions {
  /** The passphrase the private key is encrypted with (cosign allows an empty one). */
  passphrase: string | Buffer;
  /** Write `<prefix>.key` (mode 0600) and `<prefix>.pub` (cosign's `cosign.key`, `cosign.pub` for prefix `cosign`). */
  prefix?: string | undefined;
  /** Overwrite files that exist (refused without it). */
  force?: boolean | undefined;
}

/** A key pair made by generateKey. */
export interface GeneratedKey {
  /** The encrypted private key (`ENCRYPTED SIGSTORE PRIVATE KEY` PEM), as cosign writes it. */
  privateKey: string;
  /** The public key (`PUBLIC KEY` PEM). */
  publicKey: string;
  /** sha256 of the public key's SubjectPublicKeyInfo DER, hex: what verify names the signer by. */
  fingerprint: string;
  /** The files written, with `prefix`. */
  privateKeyFile?: string;
  publicKeyFile?: string;
}

/** Makes an ECDSA P-256 key pair in cosign's format and, with `prefix`, writes it (never over existing files without `force`). */
export async function generateKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  if (opts.passphrase === undefined) throw new UsageError('option passphrase: required (the private key is always encrypted; cosign allows an empty one)', { option: 'passphrase' });
  const pair = generateKeyPair(opts.passphrase);
  const out: GeneratedKey = { privateKey: pair.privateKeyPem, publicKey: pair.publicKeyPem, fingerprint: pair.fingerprint };
  if (opts.prefix === undefined) return out;
  if (!opts.prefix) throw new UsageError('option prefix: empty', { option: 'prefix' });
  const files = { privateKeyFile: `${opts.prefix}.key`, publicKeyFile: `${opts.prefix}.pub` };
  if (!opts.force) {
    for (const f of Object.values(files)) {
      if (await stat(f).then(() => true, () => false)) {
        throw new UsageError(`${f} already exists: not overwritten`, { option: 'force', hint: 'remove it, choose another name, or pass --force' });
      }
    }
  }
  try {
    await atomicWriteFile(files.privateKeyFile, pair.privateKeyPem, 0o600);
    await atomicWriteFile(files.publicKeyFile, pair.publicKeyPem, 0o644);
  } catch (err) {
    throw fsError(err) ?? err;
  }
  return { ...out, ...files };
}

/** The options of sign. */
export interface SignOptions {
  /** The private key file (cosign.key; cosign's encrypted PEM, PKCS#8 or SEC 1 ECDSA P-256). */
  key?: string | undefined;
  /** The private key's PEM text, instead of a file. */
  keyData?: string | undefined;
  /** The passphrase of an encrypted key (a function is asked only when the key is encrypted). */
  passphrase?: Passphrase | undefined;
  /** Claims put in the payload's `optional` section (cosign `-a KEY=VALUE`). */
  annotations?: Record<string, string> | undefined;
  /** An index: sign each platform's manifest too. */
  recursive?: boolean | undefined;
  /** The docker reference to sign for (`critical.identity.docker-reference`); default: the image's repository. Needed for images outside a registry. */
  identity?: string | undefined;
  /** `simplesigning` (default: the `sha256-<hex>.sig` tag) or `bundle` (cosign v3's Sigstore bundle referrer). */
  format?: SignatureFormat | undefined;
  credentials?: CredentialOptions | undefined;
}

/** What sign did. */
export interface SignResult {
  /** The image as given. */
  image: string;
  /** The digest signed (resolved once). */
  digest: string;
  /** The signing key's fingerprint (sha256 of its public key's SubjectPublicKeyInfo, hex). */
  key: string;
  /** Each manifest signed: the image's, then (recursive) its platforms'. */
  signed: SignedManifest[];
}

/**
 * Signs an image in cosign's tag-based simple-signing form: the manifest digest, resolved once, in a payload naming
 * the repository, its signature appended to the `sha256-<hex>.sig` manifest next to the image (signatures already
 * there are kept). Works on registries and OCI layouts (give `identity` for a layout).
 */
export async function sign(ctx: OpsContext, image: string, opts: SignOptions): Promise<SignResult> {
  const key = await readPrivateKey(await keyText(opts.key, opts.keyData, 'key'), opts.passphrase, opts.key ?? 'option keyData');
  const location = parseLocation(image);
  if (location.singlePlatform) throw new UsageError(`cannot sign ${image}: signatures are written to a registry or an OCI layout`);
  const ref = registryReference(image);
  const dockerReference = opts.identity ?? (ref ? cosignRepository(ref) : undefined);
  // A bundle names the digest only (its in-toto subject), no docker reference: none is needed for it.
  if (!dockerReference && opts.format !== 'bundle') throw new UsageError(`option identity: required to sign ${image} (not in a registry): the docker reference to sign for`, { option: 'identity' });
  try {
    if (dockerReference) parseReference(dockerReference);
  } catch (err) {
    throw new UsageError(`option identity: ${(err as Error).message}`, { option: 'identity' });
  }
  ctx = await sideContext(ctx, locationRegistries(image), opts.credentials);
  const src = await location.openSource(ctx);
  try {
    const subject = descriptorOf(await src.target.resolve());
    const dst = await location.openDestination(ctx, {});
    try {
      let signed: SignedManifest[] = [];
      await writeTo(dst.target, async (target) => {
        signed = await signImage(src.target, target, subject, key, { dockerReference: dockerReference ?? '', annotations: opts.annotations, recursive: opts.recursive, format: opts.format });
      });
      return { image, digest: subject.digest, key: keyFingerprint(key), signed };
    } catch (err) {
      await dst.abort?.().catch(() => undefined);
      throw err;
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

/** The options of verify. */
export interface VerifyOptions {
  /** Public key files (cosign.pub): a signature verifying with any of them counts. */
  keys?: string[] | undefined;
  /** Public keys as PEM text, instead of files. */
  keyData?: string[] | undefined;
  /**
   * How the docker reference a signature names must match the image: `repository` (default; cosign names no tag),
   * `exact` (and the tag, when the image is named by tag), `any` (not checked).
   */
  identityMatch?: 'exact' | 'repository' | 'any' | undefined;
  /** Claims every accepted signature's payload must carry (cosign verify `-a`). */
  annotations?: Record<string, string> | undefined;
  /** Return the result even when no signature satisfies (its `trusted` is false) instead of throwing NotTrustedError. */
  allowUntrusted?: boolean | undefined;
  /** Keyless bundles: a Sigstore trusted root file (trusted_root.json); with keys only, bundles' log entries are checked against it. */
  trustedRoot?: string | undefined;
  /** Keyless bundles: the certificate identity (SAN), exactly, or an RE2 regexp. */
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
  /** Keyless bundles: the certificate's OIDC issuer, exactly, or an RE2 regexp. */
  certificateOidcIssuer?: string | undefined;
  certificateOidcIssuerRegexp?: string | undefined;
  credentials?: CredentialOptions | undefined;
}

/** What verify found. */
export interface VerifyResult {
  /** The image as given. */
  image: string;
  /** The digest whose signatures were checked (resolved once). */
  digest: string;
  /** At least one signature satisfies the keys, identity and annotations asked for. */
  trusted: boolean;
  /** Every signature found, each with its verdict. */
  signatures: SignatureCheck[];
}

/**
 * Checks every signature of an image (the digest resolved once) against public keys: the payload's signature, the
 * digest it names against the manifest's, the docker reference it claims (`identityMatch`) and its claims. Throws
 * NotTrustedError (exit 7) naming why each signature was refused, or "no signature", unless `allowUntrusted`.
 */
export async function verify(ctx: OpsContext, image: string, opts: VerifyOptions): Promise<VerifyResult> {
  const keys = [
    ...await Promise.all((opts.keys ?? []).map(async (path) => readPublicKey(await keyText(path, undefined, 'keys'), path))),
    ...(opts.keyData ?? []).map((pem, i) => readPublicKey(pem, `option keyData[${i}]`)),
  ];
  const keyless = await readKeyless(opts);
  if (!keys.length && !keyless?.identity && !keyless?.identityRegexp) {
    throw new UsageError('option keys: required (the public keys to verify with), or certificateIdentity with certificateOidcIssuer and trustedRoot for keyless bundles', { option: 'keys' });
  }
  const ref = registryReference(image);
  const location = parseLocation(image);
  ctx = await sideContext(ctx, locationRegistries(image), opts.credentials);
  const src = await location.openSource(ctx);
  try {
    const subject = descriptorOf(await src.target.resolve());
    const identityMatch: IdentityMatch = opts.identityMatch ?? 'repository';
    const checks = await checkSignatures(src.target, subject, { keys, ...(keyless ? { keyless } : {}), identityMatch, ...(opts.annotations ? { annotations: opts.annotations } : {}) }, {
      ...(ref ? { reference: { registry: ref.registry, repository: ref.repository, ...(ref.tag ? { tag: ref.tag } : {}) } } : {}),
    });
    const trusted = checks.some((c) => c.valid);
    if (!trusted && !opts.allowUntrusted) requireTrusted(image, checks);
    return { image, digest: subject.digest, trusted, signatures: checks };
  } finally {
    await src.close();
  }
}

/** The registry reference a location names, when it names one. */
function registryReference(image: string): Reference | undefined {
  return parseLocation(image).transport === dockerTransport ? parseReference(image.replace(/^docker:\/\//, '')) : undefined;
}

/** The repository as cosign writes it in payloads (go-containerregistry names Docker Hub `index.docker.io`). */
export function cosignRepository(ref: Pick<Reference, 'registry' | 'repository'>): string {
  return `${ref.registry === 'docker.io' ? 'index.docker.io' : ref.registry}/${ref.repository}`;
}

function descriptorOf(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

async function keyText(path: string | undefined, data: string | undefined, option: string): Promise<string> {
  if (data !== undefined) {
    if (path !== undefined) throw new UsageError(`option ${option}: give a key file or key data, not both`, { option });
    return data;
  }
  if (path === undefined) throw new UsageError(`option ${option}: required (the key file)`, { option });
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${path}: no such key file`, { code: 'ERR_FILE_NOT_FOUND' });
    throw fsError(err) ?? err;
  }
}
