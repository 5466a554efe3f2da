import { copyImage, DEFAULT_JOBS, type CopyProgress, type CopyResult } from '../content/copy.js';
import { pendingBytes } from '../content/plan.js';
import { resolveImage } from '../content/resolve.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import type { CopySession } from '../content/session.js';
import { writeTo } from '../content/target.js';
import { IntegrityError, UsageError } from '../errors.js';
import type { ManifestFormat } from '../content/convert.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext, Warning } from './context.js';
import { copySession } from './copy-session.js';
import { transferContexts, type CredentialOptions } from './credentials.js';
import { admit, bringsSignatures, locationSubject, transferPolicy, type Policy, type PolicyOption } from './policy-gate.js';
import { locationRegistries, parseLocation, type ImageLocation } from './transports/index.js';

export interface CopyOptions {
  /** Copy only this platform's image out of an index (NotFound when nothing matches). */
  platform?: Platform;
  jobs?: number;
  session?: CopySession;
  referrers?: boolean;
  includeNondistributable?: boolean;
  /** Convert manifests and layer media types to this format (manifest digests change). */
  manifestFormat?: ManifestFormat;
  /** Called with warnings (a Docker-format manifest written into an OCI layout); the library never prints. */
  onWarning?: (warning: Warning) => void;
  onProgress?: (event: CopyProgress) => void;
  /** Write nothing: plan the copy and ask the destination what it lacks (a HEAD per blob); see CopyPlanResult. */
  dryRun?: boolean;
  /** Credentials for the source's registry and for the destination's (stored ones when not given). */
  sourceCredentials?: CredentialOptions | undefined;
  destinationCredentials?: CredentialOptions | undefined;
  /**
   * The trust policy (containers-policy.json(5)) the source image must satisfy before anything is copied: a path,
   * `system`, or a policy read. Default: regctl's config `policy`, else none. Refused: NotTrustedError (exit 7),
   * nothing written. When it needed signatures, `referrers` defaults to true (they are copied along).
   */
  policy?: PolicyOption | undefined;
}

/**
 * Copies an image between two locations (registry references, `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`, …).
 * A multi-platform index is copied whole (keeping its digest) unless a platform is given or the destination holds
 * one platform only (a docker archive: the host's); nothing is left half-written when it fails.
 */
export async function copy(ctx: OpsContext, source: string, destination: string, opts: CopyOptions = {}): Promise<CopyResult> {
  const from = parseLocation(source);
  const to = parseLocation(destination);
  const { platform, policy, ...rest } = opts;
  const judged = await transferPolicy(ctx, policy);
  return copyLocations(ctx, from, to, {
    ...rest,
    ...(judged ? { policy: judged } : {}),
    ...(platform ? { platform, strictPlatform: true } : to.singlePlatform ? { platform: ctx.platform } : {}),
  });
}

export interface LocationCopyOptions extends Omit<CopyOptions, 'platform' | 'policy'> {
  /** The policy the source must satisfy (read already); none: no check. */
  policy?: Policy;
  /** The platform to take out of an index; with `strictPlatform` a single image of another platform is NotFound too. */
  platform?: Platform;
  strictPlatform?: boolean;
  /** These platforms' images out of an index: a new index of exactly those when that leaves some out. */
  platforms?: Platform[];
}

/**
 * The one path every transfer takes (copy, pull, push): open the source, let the destination's transport choose
 * the name the image gets there from the source (a tag, or digest only), copy, and check the digest the destination
 * names, committing only when everything succeeded.
 */
export async function copyLocations(ctx: OpsContext, from: ImageLocation, to: ImageLocation, opts: LocationCopyOptions = {}): Promise<CopyResult> {
  if (opts.dryRun && opts.manifestFormat) {
    throw new UsageError('a dry run plans the copy as it is: option manifestFormat does not go with option dryRun', { option: 'manifestFormat' });
  }
  const { sourceCredentials, destinationCredentials, policy, ...rest } = opts;
  const [srcCtx, dstCtx] = await transferContexts(ctx,
    { registries: locationRegistries(from.text), credentials: sourceCredentials },
    { registries: locationRegistries(to.text), credentials: destinationCredentials });
  opts = rest;
  const src = await from.openSource(srcCtx);
  try {
    let source = src.target;
    if (policy) {
      // Judged before the destination is even opened (opening a layout or archive creates it): a refused image
      // leaves nothing behind. The copy is then made from the digest judged.
      const admitted = await admit(ctx, policy, await locationSubject(from), from.text, source, {
        ...(opts.platform ? { platform: opts.platform } : {}),
        ...(opts.strictPlatform ? { strict: true } : {}),
        ...(opts.platforms ? { platforms: opts.platforms } : {}),
        signal: ctx.transport.signal,
      });
      source = admitted.source;
      // Signatures travel with the image to a registry (where the policy of the next consumer looks for them).
      if (opts.referrers === undefined && !opts.manifestFormat && to.transport.name === 'docker' && (await bringsSignatures(ctx, admitted.verdict, await locationSubject(to)))) {
        opts = { ...opts, referrers: true };
      }
    }
    const dst = await to.openDestination(dstCtx, {
      ...(src.name ? { sourceName: src.name } : {}),
      ...(from.digestOnly ? { sourceDigestOnly: true } : {}),
      ...(opts.onWarning ? { warn: opts.onWarning } : {}),
    });
    let done = false;
    try {
      if (opts.dryRun) return await dryRun(source, dst.target, opts);
      const { onWarning: _, dryRun: __, manifestFormat, ...copyOpts } = opts;
      const copied = await writeTo(dst.target, async (target) => {
        const result = await copyImage(source, target, { ...copyOpts, session: opts.session ?? copySession(ctx, opts.jobs), signal: ctx.transport.signal, ...(manifestFormat ? { format: manifestFormat } : {}), ...(dst.name ? { tag: dst.name } : {}) });
        if (to.expectDigest && to.expectDigest !== result.digest) {
          throw new IntegrityError(`${to.text} names digest ${to.expectDigest} but the copied manifest is ${result.digest}`);
        }
        return result;
      });
      done = true;
      return copied;
    } finally {
      if (!done) await dst.abort?.().catch(() => undefined);
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

/**
 * A copy planned, not made: the result says what it would send (`blobs.pushed` blobs the destination lacks, of
 * `blobs.bytes` bytes with the `manifests` manifests it would push) — the figure `size` with `to` and sync's dry run give.
 */
async function dryRun(src: SourceTarget, dst: DestinationTarget, opts: LocationCopyOptions): Promise<CopyResult> {
  const top = await resolveImage(src, { ...(opts.platform ? { platform: opts.platform } : {}), strict: opts.strictPlatform ?? false });
  const pending = await pendingBytes(src, dst, { desc: top.top, bytes: top.bytes, doc: top.doc }, {
    jobs: opts.jobs ?? DEFAULT_JOBS,
    ...(opts.referrers ? { referrers: true } : {}),
    ...(opts.includeNondistributable ? { includeNondistributable: true } : {}),
  });
  return {
    digest: top.top.digest,
    sourceDigest: top.source.digest,
    mediaType: top.top.mediaType,
    top: top.top,
    unchanged: pending.blobs === 0 && (await dst.hasManifest(top.top)),
    blobs: { pushed: pending.blobs, mounted: 0, skipped: 0, bytes: pending.bytes },
    manifests: pending.manifests,
  };
}
