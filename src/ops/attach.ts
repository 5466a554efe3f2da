import { UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { attachArtifact } from './artifact-push.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';

export interface AttachOptions {
  /** The artifact's type (`application/spdx+json`, `application/vnd.dev.sigstore.bundle+json`). */
  artifactType: string;
  /** Files to attach, each a layer titled as oras titles it (its path as given; its base name when absolute). */
  files: string[];
  /** Manifest annotations (besides `org.opencontainers.image.created`). */
  annotations?: Record<string, string>;
  /** The time the artifact is created at (`org.opencontainers.image.created`); default: the current time. */
  now?: Date;
  credentials?: CredentialOptions | undefined;
}

export interface AttachResult {
  /** The artifact manifest pushed. */
  digest: string;
  subject: Descriptor;
}

/**
 * Pushes an OCI 1.1 artifact manifest referring to `image` (oras attach): `artifact push` with the image as its
 * subject, by digest, into the image's repository or layout. A registry without the referrers API gets it listed in
 * its referrers tag, an OCI layout in its referrers entry.
 */
export async function attach(ctx: OpsContext, image: string, opts: AttachOptions): Promise<AttachResult> {
  if (!opts.artifactType) throw new UsageError('option artifactType: required (the artifact\'s type)', { option: 'artifactType' });
  if (!opts.files?.length) throw new UsageError('option files: required (at least one file to attach)', { option: 'files' });
  const { files, ...rest } = opts;
  const pushed = await attachArtifact(ctx, image, files, rest);
  return { digest: pushed.digest, subject: pushed.subject! };
}
