/** Credentials for one registry. `identityToken` is an OAuth2 refresh token (docker's `identitytoken`). */
export interface Credential {
  username?: string;
  password?: string;
  identityToken?: string;
  /** A bearer token sent as is (`--registry-token`): no token exchange, never stored. */
  registryToken?: string;
}

/** What the transport needs: look up credentials for a registry host as written in references
 * (`docker.io`, `localhost:5000`). */
export interface CredentialSource {
  get(registry: string): Promise<Credential | undefined>;
}
