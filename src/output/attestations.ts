// What verify-attestation prints: the predicates of the attestations that verified (text: one JSON document a
// line), the whole result (json), or a Go template over each verified attestation; a verdict line per attestation
// for stderr.
import type { VerifyAttestationResult } from '../ops/verify-attestation.js';
import type { AttestationCheck as BundleCheck } from '../ops/verify-attestation.js';
import { record } from '../template/template.js';
import { renderTemplate } from './format.js';
import type { ResultFormat } from './verb-results.js';
import { terminalSafe } from './terminal.js';

/** An attestation as a template sees it: `Location`, `PredicateType`, `Signer`, `Issuer`, `Time`, `Predicate` (its JSON as maps). */
export function attestationData(a: BundleCheck): object {
  return record({
    Location: a.location,
    PredicateType: a.predicateType ?? '',
    Signer: a.signer ?? '',
    Issuer: a.issuer ?? '',
    Time: a.time ?? '',
    Valid: a.valid,
    Predicate: a.predicate ?? null,
  }, 'Attestation');
}

/** stdout: text = each verified predicate as one line of JSON; json = the result; a template over each verified attestation. */
export function renderAttestations(format: ResultFormat, result: VerifyAttestationResult): string {
  const verified = result.attestations.filter((a) => a.valid);
  if (format.template) return renderTemplate(format.template, verified.map(attestationData));
  if (format.builtin === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  return verified.map((a) => `${JSON.stringify(a.predicate ?? null)}\n`).join('');
}

/** One line per attestation for stderr: verified (by whom, when) or refused (why). Registry-sent text made safe. */
export function attestationVerdicts(result: VerifyAttestationResult): string[] {
  return result.attestations.map((a) => {
    const what = `${a.predicateType ?? 'unknown predicate'} in bundle ${a.location}`;
    if (!a.valid) return terminalSafe(`refused ${what}: ${a.reason ?? 'not valid'}`);
    const by = [a.signer && `by ${a.signer}`, a.issuer && `(${a.issuer})`, a.time && `at ${a.time}`].filter(Boolean).join(' ');
    return terminalSafe(`verified ${what}${by ? ` ${by}` : ''}`);
  });
}
