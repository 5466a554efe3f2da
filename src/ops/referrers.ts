import type { ReferrerFilter, SourceTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import type { OpsContext } from './context.js';
import { withSource } from './transports/index.js';

/** A referrer and, recursively, its own referrers (a signature of an SBOM). */
export interface ReferrerNode {
  desc: Descriptor;
  /** The cosign digest tag it was found under (`sha256-<hex>.sig`), when it was found by tag. */
  tag?: string;
  referrers: ReferrerNode[];
}

export interface ReferrersResult {
  /** The image as given (`localhost:5000/app:1`, `oci:DIR:v1`). */
  name: string;
  subject: Descriptor;
  referrers: ReferrerNode[];
}

/**
 * The referrers of an image (registry: the OCI 1.1 referrers API, else its tag schema, plus cosign's digest tags;
 * an OCI layout: its referrers-tag entries and cosign tags), and theirs, recursively. `artifactType` keeps only the
 * direct referrers of that type (with everything under them).
 */
export async function referrers(ctx: OpsContext, image: string, filter: ReferrerFilter = {}): Promise<ReferrersResult> {
  return withSource(ctx, image, async ({ target }) => {
    const resolved = await target.resolve();
    const subject = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size };
    const seen = new Set([subject.digest]);
    return { name: image, subject, referrers: await walk(target, subject, filter, seen) };
  });
}

async function walk(target: SourceTarget, subject: Descriptor, filter: ReferrerFilter, seen: Set<string>): Promise<ReferrerNode[]> {
  const nodes: ReferrerNode[] = [];
  for (const r of (await target.referrers?.(subject, filter)) ?? []) {
    if (seen.has(r.desc.digest)) continue;
    seen.add(r.desc.digest);
    nodes.push({ desc: r.desc, ...(r.tag ? { tag: r.tag } : {}), referrers: await walk(target, r.desc, {}, seen) });
  }
  return nodes;
}
