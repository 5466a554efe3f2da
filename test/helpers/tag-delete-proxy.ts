import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProxy, type ProxyHandle } from './proxy.js';
import type { RegistryHandle } from './registry.js';

const TAG_PATH = /^\/v2\/(.+)\/manifests\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/**
 * The real registry (distribution 2.8, which answers a tag DELETE with 400) with OCI distribution 1.1's
 * `DELETE /v2/<name>/manifests/<tag>` added in front: the tag's directory is removed from the registry's storage,
 * as distribution 3's Untag does, and the answer is 202 (404 MANIFEST_UNKNOWN for a tag it does not have). The
 * manifest and its other tags stay. Every other request passes through.
 */
export function startTagDeleteProxy(registry: RegistryHandle): Promise<ProxyHandle> {
  return startProxy(registry.url, {
    fault(method, url) {
      const m = method === 'DELETE' ? TAG_PATH.exec(url.pathname) : null;
      if (!m) return undefined;
      const dir = join(registry.dataDir, 'docker/registry/v2/repositories', m[1]!, '_manifests/tags', m[2]!);
      if (!existsSync(dir)) {
        return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}' };
      }
      rmSync(dir, { recursive: true });
      return { status: 202 };
    },
  });
}
