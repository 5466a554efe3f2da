import { attach as attachOp, type AttachResult } from '../ops/attach.js';
import type { WithCredentials } from '../ops/credentials.js';
import { deleteImage, type DeleteResult } from '../ops/delete.js';
import { login as loginOp, logout as logoutOp, type LoginResult, type LogoutResult } from '../ops/login.js';
import { operation, type CallOptions } from './context.js';
import { argument, boolean, credentials, string, stringRecord, strings, time } from './options.js';
import { TAG_SCAN, type DeleteOptions, type OpOptions } from './verbs.js';

export type { AttachResult, DeleteResult, LoginResult, LogoutResult };

const optionalServer = (server: unknown) => (server === undefined ? undefined : argument<string>(server, string, 'server'));

/**
 * Deletes from a registry: `REPO:TAG` removes only that tag (the manifest and its other tags stay);
 * `REPO@DIGEST` deletes the manifest and every tag on it (`tags` says which).
 */
export async function del(image: string, options: DeleteOptions = {}): Promise<DeleteResult> {
  argument(image, string, 'image');
  return operation(options, TAG_SCAN, (ctx, o: OpOptions<typeof deleteImage>) => deleteImage(ctx, image, o));
}

export interface AttachOptions extends CallOptions, WithCredentials {
  /** The artifact's type (`application/spdx+json`, `application/vnd.dev.sigstore.bundle+json`). */
  artifactType: string;
  /** Files to attach, each a layer titled as oras titles it: its path as given (an absolute one: its base name). */
  files: string[];
  /** Manifest annotations (besides `org.opencontainers.image.created`). */
  annotations?: Record<string, string> | undefined;
  /** The time the artifact is created at (`org.opencontainers.image.created`): a Date or milliseconds; default: now. */
  now?: Date | number | undefined;
}

/**
 * Pushes files as an OCI 1.1 artifact referring to an image (like `oras attach`), to its registry or OCI layout;
 * returns the artifact's digest and its subject.
 */
export async function attach(image: string, options: AttachOptions): Promise<AttachResult> {
  argument(image, string, 'image');
  const schema = { artifactType: string, files: strings, annotations: stringRecord, now: time, credentials };
  return operation(options, schema, (ctx, o: OpOptions<typeof attachOp>) => attachOp(ctx, image, o));
}

export interface LoginCallOptions extends CallOptions {
  username: string;
  password: string;
  /** Store through docker-credential-regctl in the OS keychain (`credHelpers[host] = "regctl"`). */
  keychain?: boolean | undefined;
  /** Store in this docker config.json or containers auth.json instead of the default one. */
  authfile?: string | undefined;
}

/**
 * Checks the credentials against the registry (default docker.io), then stores them in docker's config.json (or
 * `authfile`, or the OS keychain with `keychain`), as `docker login` does; nothing is stored when the check fails.
 */
export async function login(server: string | undefined, options: LoginCallOptions): Promise<LoginResult> {
  const host = optionalServer(server);
  const schema = { username: string, password: string, keychain: boolean, authfile: string };
  return operation(options, schema, (ctx, o: LoginCallOptions) => loginOp(ctx, host, o.username ?? '', o.password ?? '', o));
}

export interface LogoutOptions extends CallOptions {
  /** Remove them from this docker config.json or containers auth.json instead of the default stores. */
  authfile?: string | undefined;
}

/** Removes stored credentials for a registry (default docker.io); `removed` is false when there were none. */
export async function logout(server?: string, options: LogoutOptions = {}): Promise<LogoutResult> {
  const host = optionalServer(server);
  return operation(options, { authfile: string }, (ctx, o: OpOptions<typeof logoutOp>) => logoutOp(ctx, host, o));
}
