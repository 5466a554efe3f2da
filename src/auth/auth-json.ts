/**
 * Read-only fallback to the containers (podman, skopeo, buildah) `auth.json`, same `auths` format as docker's
 * config.json (containers/image docs/containers-auth.json.5.md). Files, first hit wins:
 *   $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, HOME/.config/containers/auth.json.
 * Keys may be `host`, `host/namespace[/repo]` or a legacy URL. A lookup by registry alone accepts only keys that
 * name the whole registry: the bare host (`docker.io` for Hub) or a URL form; `host/ns` keys are scoped to a
 * namespace and are not used for a whole-registry lookup.
 */
import { join } from 'node:path';
import type { Credential } from './credential.js';
import type { Env } from '../util/env.js';
import { decodeAuthEntry, readDockerConfig, type AuthEntry } from './docker-config.js';
import { keyMatches } from './hostname.js';

/** The auth.json candidates, in lookup order. */
export function authJsonPaths(env: Env, homedir: string): string[] {
  const paths: string[] = [];
  const explicit = env['REGISTRY_AUTH_FILE'];
  if (explicit) paths.push(explicit);
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime) paths.push(join(runtime, 'containers', 'auth.json'));
  paths.push(join(homedir, '.config', 'containers', 'auth.json'));
  return paths;
}

/** Credentials for `registry` from the first auth.json that has a usable entry; undefined when none does. */
export async function authJsonGet(registry: string, env: Env, homedir: string): Promise<{ credential: Credential; path: string } | undefined> {
  for (const path of authJsonPaths(env, homedir)) {
    const cfg = await readDockerConfig(path);
    const found = findRegistryEntry(cfg.auths, registry);
    if (!found) continue;
    const credential = decodeAuthEntry(found[1], found[0], path);
    if (credential) return { credential, path };
  }
  return undefined;
}

/** The entry naming the whole registry (`host` or a URL form; `host/ns` keys are scoped to a namespace and skipped). */
export function findRegistryEntry(auths: Record<string, AuthEntry> | undefined, registry: string): [string, AuthEntry] | undefined {
  if (!auths) return undefined;
  const wholeRegistry = Object.entries(auths).filter(([k]) => !k.includes('/') || k.includes('://'));
  return wholeRegistry.find(([k]) => !k.includes('://') && keyMatches(k, registry)) ?? wholeRegistry.find(([k]) => keyMatches(k, registry));
}
