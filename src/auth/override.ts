/**
 * Per-command credentials (`--creds`, `--registry-token`, `--no-creds`): they replace what the store holds for the
 * registries the command names, and only those; every other host (a mirror, the other side of a copy) still gets
 * the store's credentials.
 */
import type { Credential, CredentialSource } from './credential.js';

/**
 * `anonymous`: send nothing (`--no-creds`); `credential`: send this instead of the stored one; `lookup`: ask this
 * function (a library caller's callback), falling back to the stored credential when it has none.
 */
export type CredentialOverride =
  | { anonymous: true }
  | { credential: Credential }
  | { lookup: (registry: string) => Credential | undefined | Promise<Credential | undefined> };

export class OverriddenCredentials implements CredentialSource {
  private readonly registries: ReadonlySet<string>;

  constructor(private readonly base: CredentialSource, registries: Iterable<string>, private readonly override: CredentialOverride) {
    this.registries = new Set(registries);
  }

  async get(registry: string): Promise<Credential | undefined> {
    if (!this.registries.has(registry)) return this.base.get(registry);
    if ('lookup' in this.override) return (await this.override.lookup(registry)) ?? this.base.get(registry);
    return 'credential' in this.override ? this.override.credential : undefined;
  }
}
