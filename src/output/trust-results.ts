// What generate-key, sign and verify print, as `--format` says: text lines, the result as JSON, or a Go template
// over it under Go-style field names.
import type { GeneratedKey, SignatureCheck, SignResult, VerifyResult } from '../ops/trust.js';
import { record } from '../template/template.js';
import { renderResult, type ResultFormat } from './verb-results.js';
import { terminalSafe } from './terminal.js';

/** The files written and the key's fingerprint; a template sees `PrivateKeyFile`, `PublicKeyFile`, `Fingerprint`. */
export function renderGeneratedKey(format: ResultFormat, r: GeneratedKey): string {
  const text = `Private key written to ${r.privateKeyFile}\nPublic key written to ${r.publicKeyFile}\nKey fingerprint: ${r.fingerprint}\n`;
  const json = { privateKeyFile: r.privateKeyFile, publicKeyFile: r.publicKeyFile, fingerprint: r.fingerprint, publicKey: r.publicKey };
  return renderResult(format, text, json, () => record({ PrivateKeyFile: r.privateKeyFile, PublicKeyFile: r.publicKeyFile, Fingerprint: r.fingerprint, PublicKey: r.publicKey }, 'GeneratedKey'));
}

/** A line per manifest signed; a template sees `Image`, `Digest`, `Key`, `Signed` (each `Digest`, `SignatureTag`, `SignatureManifest`, `Signatures`, `Added`). */
export function renderSigned(format: ResultFormat, r: SignResult): string {
  const text = r.signed.map((s) => (s.format === 'bundle'
    ? `${s.digest}: signed (bundle referrer ${s.signatureManifest}: ${s.signatures} bundle${s.signatures === 1 ? '' : 's'})\n`
    : `${s.digest}: ${s.added ? 'signed' : 'already signed with this key'} (${s.signatureTag}: ${s.signatures} signature${s.signatures === 1 ? '' : 's'})\n`)).join('');
  const data = () => record({
    Image: r.image, Digest: r.digest, Key: r.key,
    Signed: r.signed.map((s) => record({ Digest: s.digest, MediaType: s.mediaType, Format: s.format, SignatureTag: s.signatureTag, SignatureManifest: s.signatureManifest, Signatures: s.signatures, Added: s.added }, 'Signed')),
  }, 'Sign');
  return renderResult(format, text, r, data);
}

/** One line of a signature's verdict: format, signer, time, then `valid` or why not. Registry-given text made terminal-safe. */
export function signatureLine(c: SignatureCheck): string {
  const signer = c.signer ? `${c.format === 'bundle' && c.issuer ? 'identity' : 'key'} ${c.signer}` : 'signer unknown';
  const parts = [c.format, terminalSafe(signer), ...(c.issuer ? [`issuer ${terminalSafe(c.issuer)}`] : []), ...(c.time ? [c.time] : [])];
  return `${parts.join('  ')}  ${c.valid ? 'valid' : `NOT valid: ${terminalSafe(c.reason ?? 'unknown reason')}`}  (${terminalSafe(c.location)})\n`;
}

/** A line per signature found; a template sees `Image`, `Digest`, `Trusted`, `Signatures` (each `Format`, `Location`, `Signer`, `Issuer`, `Time`, `Identity`, `Annotations`, `Valid`, `Reason`). */
export function renderVerified(format: ResultFormat, r: VerifyResult): string {
  const text = r.signatures.map(signatureLine).join('');
  const data = () => record({
    Image: r.image, Digest: r.digest, Trusted: r.trusted,
    Signatures: r.signatures.map((c) => record({
      Format: c.format, Location: c.location, Signer: c.signer ?? '', Issuer: c.issuer ?? '', Time: c.time ?? '', Identity: c.identity ?? '',
      Annotations: c.annotations ?? {}, Valid: c.valid, Reason: c.reason ?? '',
    }, 'Signature')),
  }, 'Verify');
  return renderResult(format, text, r, data);
}
