import type { ReferrerFilter, SourceTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { withSource } from './transports/index.js';
import { WalkBudget } from '../content/walk-budget.js';

export interface ReferrersOptions extends ReferrerFilter {
  credentials?: CredentialOptions | undefined;
}

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
export async function referrers(ctx: OpsContext, image: string, opts: ReferrersOptions = {}): Promise<ReferrersResult> {
  const { credentials, ...filter } = opts;
  return withSource(ctx, image, async ({ target }) => {
    const resolved = await target.resolve();
    const subject = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size };
    const walked = { seen: new Set([subject.digest]), budget: new WalkBudget(`listing the referrers of ${image}`) };
    return { name: image, subject, referrers: await walk(target, subject, filter, walked, 1) };
  }, credentials);
}

/** The referrers of `subject` at `depth` (1: the image's own), each once (cycles end), within the walk's budget. */
async function walk(target: SourceTarget, subject: Descriptor, filter: ReferrerFilter, walked: { seen: Set<string>; budget: WalkBudget }, depth: number): Promise<ReferrerNode[]> {
  const nodes: ReferrerNode[] = [];
  for (const r of (await target.referrers?.(subject, filter)) ?? []) {
    if (walked.seen.has(r.desc.digest)) continue;
    walked.seen.add(r.desc.digest);
    walked.budget.visit(depth);
    nodes.push({ desc: r.desc, ...(r.tag ? { tag: r.tag } : {}), referrers: await walk(target, r.desc, {}, walked, depth + 1) });
  }
  return nodes;
}
