import { attach as attachOp, type AttachOptions, type AttachResult } from '../ops/attach.js';
import { deleteImage, type DeleteOptions, type DeleteResult } from '../ops/delete.js';
import { login as loginOp, logout as logoutOp, type LoginOptions, type LoginResult } from '../ops/login.js';
import { operationOptions, withContext, type CallOptions } from './context.js';

/**
 * Deletes from a registry: `REPO:TAG` removes only that tag (the manifest and its other tags stay);
 * `REPO@DIGEST` deletes the manifest and every tag on it (`tags` says which).
 */
export function del(image: string, options: DeleteOptions & CallOptions = {}): Promise<DeleteResult> {
  return withContext(options, (ctx) => deleteImage(ctx, image, operationOptions(options)));
}

/** Pushes files as an OCI 1.1 artifact referring to an image (like `oras attach`); returns the artifact's digest. */
export function attach(image: string, options: AttachOptions & CallOptions): Promise<AttachResult> {
  return withContext(options, (ctx) => attachOp(ctx, image, operationOptions(options)));
}

export interface LoginCallOptions extends LoginOptions, CallOptions {
  username: string;
  password: string;
}

/**
 * Checks the credentials against the registry (default docker.io), then stores them in docker's config.json (or
 * `authfile`, or the OS keychain with `keychain`), as `docker login` does; nothing is stored when the check fails.
 */
export function login(server: string | undefined, options: LoginCallOptions): Promise<LoginResult> {
  const { username, password, ...rest } = options;
  return withContext(options, (ctx) => loginOp(ctx, server, username, password, operationOptions(rest)));
}

/** Removes stored credentials for a registry (default docker.io); `removed` is false when there were none. */
export function logout(server: string | undefined, options: { authfile?: string } & CallOptions = {}): Promise<{ registry: string; removed: boolean }> {
  return withContext(options, (ctx) => logoutOp(ctx, server, operationOptions(options)));
}
