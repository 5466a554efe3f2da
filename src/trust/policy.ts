/**
 * containers-policy.json(5), read as containers/image reads it (signature/policy_config.go): strictly. An unknown or
 * duplicated key, a value of the wrong type, a requirement list that is empty, a missing `default`, a scope the
 * transport cannot have: the whole file is refused (ConfigError naming the file and the place), so that a typo
 * never turns into "accept".
 *
 *   {"default": [REQUIREMENT…],
 *    "transports": {"docker": {"": [...], "HOST[:PORT][/NAMESPACE…][/REPO[:TAG|@DIGEST]]": [...], "*.example.com": [...]},
 *                   "docker-archive": {"": [...]}, "oci": {"/abs/dir": [...]}, …}}
 *
 * Requirements: `insecureAcceptAnything`, `reject`, `sigstoreSigned` (regctl checks it), and `signedBy` (GPG "simple
 * signing") and `signedBaseLayer`, which are read and validated but which regctl does not implement: an image they
 * apply to is refused, naming them (never passed).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, posix } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { parseStrictJson } from './policy-json.js';

/** How the docker reference a signature claims must relate to the image (containers-policy.json(5) signedIdentity). */
export type SignedIdentity =
  | { type: 'matchExact' }
  | { type: 'matchRepoDigestOrExact' }
  | { type: 'matchRepository' }
  | { type: 'exactReference'; dockerReference: string }
  | { type: 'exactRepository'; dockerRepository: string }
  | { type: 'remapIdentity'; prefix: string; signedPrefix: string };

/** `fulcio` of a sigstoreSigned requirement: a keyless signature's certificate authority and expected identity. */
export interface FulcioRequirement {
  caPath?: string;
  /** The CA certificate(s), PEM (base64 in the file, as Go's []byte). */
  caData?: Buffer;
  oidcIssuer: string;
  subjectEmail: string;
}

/** `pki` of a sigstoreSigned requirement: a non-Fulcio X.509 certificate chain and the expected subject. */
export interface PkiRequirement {
  caRootsPath?: string;
  caRootsData?: Buffer;
  caIntermediatesPath?: string;
  caIntermediatesData?: Buffer;
  subjectEmail?: string;
  subjectHostname?: string;
}

export interface SigstoreSignedRequirement {
  type: 'sigstoreSigned';
  keyPath?: string;
  keyPaths?: string[];
  keyData?: Buffer;
  keyDatas?: Buffer[];
  fulcio?: FulcioRequirement;
  pki?: PkiRequirement;
  rekorPublicKeyPath?: string;
  rekorPublicKeyPaths?: string[];
  rekorPublicKeyData?: Buffer;
  rekorPublicKeyDatas?: Buffer[];
  signedIdentity: SignedIdentity;
}

export interface SignedByRequirement {
  type: 'signedBy';
  keyType: string;
  keyPath?: string;
  keyPaths?: string[];
  keyData?: Buffer;
  signedIdentity: SignedIdentity;
}

export type PolicyRequirement =
  | { type: 'insecureAcceptAnything' }
  | { type: 'reject' }
  | SigstoreSignedRequirement
  | SignedByRequirement
  | { type: 'signedBaseLayer'; baseLayerIdentity: SignedIdentity };

/** A policy read and validated. */
export interface Policy {
  /** Where it came from, for messages: the file's path, or `the given policy` for an object. */
  source: string;
  default: PolicyRequirement[];
  /** transport name → scope (`""` the transport's default) → requirements. */
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

/** Policy files are small; a bigger one is refused before it is read whole. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** Reads and validates a policy file. ConfigError (naming the file) when unreadable or invalid. */
export async function readPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_POLICY_BYTES) throw new ConfigError(`policy ${path}: larger than ${MAX_POLICY_BYTES} bytes: refused`);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read policy ${path}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseStrictJson(text);
  } catch (err) {
    throw new ConfigError(`policy ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validatePolicy(raw, path);
}

/** Validates a policy given as a value (parsed JSON); ConfigError naming `source` and the place of the problem. */
export function validatePolicy(raw: unknown, source: string): Policy {
  const v = new Validator(source);
  const top = v.object(raw, '');
  v.onlyKeys(top, ['default', 'transports'], '');
  if (!('default' in top)) throw v.fail('', '"default" is missing (it is mandatory)');
  const policy: Policy = { source, default: v.requirements(top.default, 'default'), transports: {} };
  if ('transports' in top) {
    const transports = v.object(top.transports, 'transports');
    for (const [name, scopesRaw] of Object.entries(transports)) {
      const at = `transports[${JSON.stringify(name)}]`;
      const scopes = v.object(scopesRaw, at);
      const out: Record<string, PolicyRequirement[]> = {};
      for (const [scope, reqs] of Object.entries(scopes)) {
        const where = `${at}[${JSON.stringify(scope)}]`;
        if (scope !== '') {
          const problem = scopeProblem(name, scope);
          if (problem) throw v.fail(where, problem);
        }
        out[scope] = v.requirements(reqs, where);
      }
      policy.transports[name] = out;
    }
  }
  return policy;
}

/**
 * Why a transport cannot have this scope, as containers/image's ValidatePolicyConfigurationScope says: paths for
 * oci/oci-archive/dir/sif (absolute, clean, not "/"), only "" for docker-archive and tarball, no image ID for
 * docker-daemon. Transports containers/image does not know (regctl's `local`) take any scope.
 */
export function scopeProblem(transport: string, scope: string): string | undefined {
  switch (transport) {
    case 'oci':
    case 'oci-archive':
    case 'dir':
    case 'sif':
      if (!isAbsolute(scope)) return `scope ${JSON.stringify(scope)} must be an absolute path`;
      if (scope === '/') return 'scope "/" is refused: use the transport\'s default scope ""';
      if (posix.normalize(scope).replace(/(.)\/$/, '$1') !== scope) return `scope ${JSON.stringify(scope)} is not in canonical form (${posix.normalize(scope).replace(/(.)\/$/, '$1')})`;
      return undefined;
    case 'docker-archive':
    case 'tarball':
      return `${transport}: supports no scope except the default ""`;
    case 'docker-daemon':
      return /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(scope) ? `docker-daemon: an image ID (${scope}) cannot be a scope` : undefined;
    default:
      return undefined;
  }
}

type Json = Record<string, unknown>;

class Validator {
  constructor(private readonly source: string) {}

  fail(where: string, problem: string): ConfigError {
    return new ConfigError(`policy ${this.source}${where ? `: ${where}` : ''}: ${problem}`);
  }

  object(v: unknown, where: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(where, `must be a JSON object, not ${kind(v)}`);
    return v as Json;
  }

  onlyKeys(o: Json, known: readonly string[], where: string): void {
    const unknown = Object.keys(o).find((k) => !known.includes(k));
    if (unknown !== undefined) throw this.fail(where, `unknown key ${JSON.stringify(unknown)} (known: ${known.join(', ')})`);
  }

  string(v: unknown, where: string): string {
    if (typeof v !== 'string') throw this.fail(where, `must be a string, not ${kind(v)}`);
    return v;
  }

  nonEmpty(v: unknown, where: string): string {
    const s = this.string(v, where);
    if (s === '') throw this.fail(where, 'must not be empty');
    return s;
  }

  strings(v: unknown, where: string): string[] {
    if (!Array.isArray(v)) throw this.fail(where, `must be an array of strings, not ${kind(v)}`);
    if (v.length === 0) throw this.fail(where, 'contains no entries');
    return v.map((s, i) => this.nonEmpty(s, `${where}[${i}]`));
  }

  /** Go's []byte in JSON: standard base64 with padding (line breaks ignored). */
  bytes(v: unknown, where: string): Buffer {
    const s = this.string(v, where).replace(/[\r\n]/g, '');
    if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw this.fail(where, 'must be base64 (standard alphabet, padded)');
    return Buffer.from(s, 'base64');
  }

  byteList(v: unknown, where: string): Buffer[] {
    if (!Array.isArray(v)) throw this.fail(where, `must be an array of base64 strings, not ${kind(v)}`);
    if (v.length === 0) throw this.fail(where, 'contains no entries');
    return v.map((s, i) => this.bytes(s, `${where}[${i}]`));
  }

  requirements(v: unknown, where: string): PolicyRequirement[] {
    if (!Array.isArray(v)) throw this.fail(where, `must be an array of requirements, not ${kind(v)}`);
    if (v.length === 0) throw this.fail(where, 'the list of requirements must not be empty');
    return v.map((r, i) => this.requirement(r, `${where}[${i}]`));
  }

  requirement(v: unknown, where: string): PolicyRequirement {
    const o = this.object(v, where);
    const type = this.string(o.type, `${where}.type`);
    switch (type) {
      case 'insecureAcceptAnything':
      case 'reject':
        this.onlyKeys(o, ['type'], where);
        return { type };
      case 'signedBy':
        return this.signedBy(o, where);
      case 'signedBaseLayer':
        this.onlyKeys(o, ['type', 'baseLayerIdentity'], where);
        if (!('baseLayerIdentity' in o)) throw this.fail(where, 'baseLayerIdentity not specified');
        return { type, baseLayerIdentity: this.identity(o.baseLayerIdentity, `${where}.baseLayerIdentity`) };
      case 'sigstoreSigned':
        return this.sigstoreSigned(o, where);
      default:
        throw this.fail(`${where}.type`, `unknown policy requirement type ${JSON.stringify(type)}`);
    }
  }

  signedBy(o: Json, where: string): SignedByRequirement {
    this.onlyKeys(o, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'], where);
    const keyType = this.string(o.keyType, `${where}.keyType`);
    if (!['GPGKeys', 'signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'].includes(keyType)) throw this.fail(`${where}.keyType`, `unrecognized keyType ${JSON.stringify(keyType)}`);
    const sources = ['keyPath', 'keyPaths', 'keyData'].filter((k) => k in o);
    if (sources.length !== 1) throw this.fail(where, `exactly one of keyPath, keyPaths and keyData must be specified, ${sources.length ? 'more than one' : 'none of them'} present`);
    return {
      type: 'signedBy',
      keyType,
      ...('keyPath' in o ? { keyPath: this.nonEmpty(o.keyPath, `${where}.keyPath`) } : {}),
      ...('keyPaths' in o ? { keyPaths: this.strings(o.keyPaths, `${where}.keyPaths`) } : {}),
      ...('keyData' in o ? { keyData: this.bytes(o.keyData, `${where}.keyData`) } : {}),
      signedIdentity: this.signedIdentity(o, where),
    };
  }

  sigstoreSigned(o: Json, where: string): SigstoreSignedRequirement {
    const KEYS = ['keyPath', 'keyPaths', 'keyData', 'keyDatas', 'fulcio', 'pki'];
    const REKOR = ['rekorPublicKeyPath', 'rekorPublicKeyPaths', 'rekorPublicKeyData', 'rekorPublicKeyDatas'];
    this.onlyKeys(o, ['type', ...KEYS, ...REKOR, 'signedIdentity'], where);
    const sources = KEYS.filter((k) => k in o);
    if (sources.length !== 1) throw this.fail(where, `exactly one of ${KEYS.join(', ')} must be specified (${sources.length ? `got ${sources.join(', ')}` : 'none present'})`);
    const rekor = REKOR.filter((k) => k in o);
    if (rekor.length > 1) throw this.fail(where, `at most one of ${REKOR.join(', ')} can be used (got ${rekor.join(', ')})`);
    if ('fulcio' in o && rekor.length === 0) throw this.fail(where, `one of ${REKOR.join(', ')} must be specified with fulcio`);
    if ('pki' in o && rekor.length > 0) throw this.fail(where, `${rekor[0]} is not supported with pki`);
    return {
      type: 'sigstoreSigned',
      ...('keyPath' in o ? { keyPath: this.nonEmpty(o.keyPath, `${where}.keyPath`) } : {}),
      ...('keyPaths' in o ? { keyPaths: this.strings(o.keyPaths, `${where}.keyPaths`) } : {}),
      ...('keyData' in o ? { keyData: this.bytes(o.keyData, `${where}.keyData`) } : {}),
      ...('keyDatas' in o ? { keyDatas: this.byteList(o.keyDatas, `${where}.keyDatas`) } : {}),
      ...('fulcio' in o ? { fulcio: this.fulcio(o.fulcio, `${where}.fulcio`) } : {}),
      ...('pki' in o ? { pki: this.pki(o.pki, `${where}.pki`) } : {}),
      ...('rekorPublicKeyPath' in o ? { rekorPublicKeyPath: this.nonEmpty(o.rekorPublicKeyPath, `${where}.rekorPublicKeyPath`) } : {}),
      ...('rekorPublicKeyPaths' in o ? { rekorPublicKeyPaths: this.strings(o.rekorPublicKeyPaths, `${where}.rekorPublicKeyPaths`) } : {}),
      ...('rekorPublicKeyData' in o ? { rekorPublicKeyData: this.bytes(o.rekorPublicKeyData, `${where}.rekorPublicKeyData`) } : {}),
      ...('rekorPublicKeyDatas' in o ? { rekorPublicKeyDatas: this.byteList(o.rekorPublicKeyDatas, `${where}.rekorPublicKeyDatas`) } : {}),
      signedIdentity: this.signedIdentity(o, where),
    };
  }

  fulcio(v: unknown, where: string): FulcioRequirement {
    const o = this.object(v, where);
    this.onlyKeys(o, ['caPath', 'caData', 'oidcIssuer', 'subjectEmail'], where);
    if ('caPath' in o && 'caData' in o) throw this.fail(where, 'caPath and caData cannot be used together');
    if (!('caPath' in o) && !('caData' in o)) throw this.fail(where, 'one of caPath and caData must be specified');
    if (!('oidcIssuer' in o)) throw this.fail(where, 'oidcIssuer not specified');
    if (!('subjectEmail' in o)) throw this.fail(where, 'subjectEmail not specified');
    return {
      ...('caPath' in o ? { caPath: this.nonEmpty(o.caPath, `${where}.caPath`) } : {}),
      ...('caData' in o ? { caData: this.bytes(o.caData, `${where}.caData`) } : {}),
      oidcIssuer: this.nonEmpty(o.oidcIssuer, `${where}.oidcIssuer`),
      subjectEmail: this.nonEmpty(o.subjectEmail, `${where}.subjectEmail`),
    };
  }

  pki(v: unknown, where: string): PkiRequirement {
    const o = this.object(v, where);
    this.onlyKeys(o, ['caRootsPath', 'caRootsData', 'caIntermediatesPath', 'caIntermediatesData', 'subjectEmail', 'subjectHostname'], where);
    if ('caRootsPath' in o === 'caRootsData' in o) throw this.fail(where, 'exactly one of caRootsPath and caRootsData must be specified');
    if ('caIntermediatesPath' in o && 'caIntermediatesData' in o) throw this.fail(where, 'caIntermediatesPath and caIntermediatesData cannot be used together');
    if (!('subjectEmail' in o) && !('subjectHostname' in o)) throw this.fail(where, 'at least one of subjectEmail and subjectHostname must be specified');
    const out: PkiRequirement = {};
    for (const k of ['caRootsPath', 'caIntermediatesPath', 'subjectEmail', 'subjectHostname'] as const) if (k in o) out[k] = this.nonEmpty(o[k], `${where}.${k}`);
    for (const k of ['caRootsData', 'caIntermediatesData'] as const) if (k in o) out[k] = this.bytes(o[k], `${where}.${k}`);
    return out;
  }

  /** `signedIdentity`, `matchRepoDigestOrExact` when absent. */
  signedIdentity(o: Json, where: string): SignedIdentity {
    return 'signedIdentity' in o ? this.identity(o.signedIdentity, `${where}.signedIdentity`) : { type: 'matchRepoDigestOrExact' };
  }

  identity(v: unknown, where: string): SignedIdentity {
    const o = this.object(v, where);
    const type = this.string(o.type, `${where}.type`);
    switch (type) {
      case 'matchExact':
      case 'matchRepoDigestOrExact':
      case 'matchRepository':
        this.onlyKeys(o, ['type'], where);
        return { type };
      case 'exactReference': {
        this.onlyKeys(o, ['type', 'dockerReference'], where);
        const ref = this.string(o.dockerReference, `${where}.dockerReference`);
        const parsed = this.reference(ref, `${where}.dockerReference`);
        if (parsed.tag === undefined && parsed.digest === undefined) throw this.fail(`${where}.dockerReference`, `${JSON.stringify(ref)} contains neither a tag nor a digest`);
        return { type, dockerReference: ref };
      }
      case 'exactRepository': {
        this.onlyKeys(o, ['type', 'dockerRepository'], where);
        const repo = this.string(o.dockerRepository, `${where}.dockerRepository`);
        this.reference(repo, `${where}.dockerRepository`);
        return { type, dockerRepository: repo };
      }
      case 'remapIdentity': {
        this.onlyKeys(o, ['type', 'prefix', 'signedPrefix'], where);
        const prefix = this.string(o.prefix, `${where}.prefix`);
        const signedPrefix = this.string(o.signedPrefix, `${where}.signedPrefix`);
        for (const [k, p] of [['prefix', prefix], ['signedPrefix', signedPrefix]] as const) {
          if (!isRemapPrefix(p)) throw this.fail(`${where}.${k}`, `${JSON.stringify(p)} is not valid: want HOST[:PORT] or HOST[:PORT]/NAMESPACE… (fully expanded, no tag or digest)`);
        }
        return { type, prefix, signedPrefix };
      }
      default:
        throw this.fail(`${where}.type`, `unknown signedIdentity type ${JSON.stringify(type)}`);
    }
  }

  reference(s: string, where: string): { tag?: string | undefined; digest?: string | undefined } {
    try {
      return parseReference(s);
    } catch (err) {
      throw this.fail(where, `invalid format of ${JSON.stringify(s)}: ${(err as Error).message}`);
    }
  }
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REMAP_PREFIX_RE = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);

/** remapIdentity's prefixes: a host[:port] alone, or a host[:port] followed by path components (no tag, no digest). */
function isRemapPrefix(s: string): boolean {
  return REMAP_PREFIX_RE.test(s);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
