// The keyless flags of verify and verify-attestation (cosign's names): who must have signed, and the trusted root
// their certificates and log entries are checked against, offline.
import type { Command, OptionValues } from '@commander-js/extra-typings';

/** Adds `--certificate-identity[-regexp]`, `--certificate-oidc-issuer[-regexp]` and `--trusted-root`. */
export function keylessFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option('--certificate-identity <san>', 'keyless: the signing certificate\'s identity (SAN), exactly')
    .option('--certificate-identity-regexp <re>', 'keyless: an RE2 regexp the certificate identity must match')
    .option('--certificate-oidc-issuer <url>', 'keyless: the certificate\'s OIDC issuer, exactly')
    .option('--certificate-oidc-issuer-regexp <re>', 'keyless: an RE2 regexp the OIDC issuer must match')
    .option('--trusted-root <file>', 'Sigstore trusted root (trusted_root.json, as the Sigstore TUF repository serves it): CAs, CT and transparency logs; nothing is fetched');
}

/** The flags keylessFlags adds. */
export interface KeylessFlags {
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
  certificateOidcIssuer?: string | undefined;
  certificateOidcIssuerRegexp?: string | undefined;
  trustedRoot?: string | undefined;
}

/** Those flags as the library's options (verify, verifyAttestation). */
export function keylessOptions(flags: KeylessFlags): KeylessFlags {
  const { certificateIdentity, certificateIdentityRegexp, certificateOidcIssuer, certificateOidcIssuerRegexp, trustedRoot } = flags;
  return { certificateIdentity, certificateIdentityRegexp, certificateOidcIssuer, certificateOidcIssuerRegexp, trustedRoot };
}
