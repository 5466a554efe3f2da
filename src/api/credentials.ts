// The credential options every operation takes per registry side, and their one check (at most one of creds,
// registryToken, anonymous, lookup), for callers that name the options otherwise (the CLI's flags).
export { checkCredentialOptions, type CredentialNames, type CredentialOptions, type WithCredentials, type WithTransferCredentials } from '../ops/credentials.js';
