export type { Credential, CredentialSource } from './credential.js';
export { CredentialStore, KEYCHAIN_HELPER, type CredentialStoreOptions, type SaveOptions, type SaveResult } from './store.js';
export { credentialKey, normalizeServer, keyMatches, DOCKER_HUB_KEY } from './hostname.js';
export { dockerConfigPath, type AuthEntry, type DockerConfig } from './docker-config.js';
export { runHelper, type HelperAction } from './helper.js';
export { OverriddenCredentials, type CredentialOverride } from './override.js';
