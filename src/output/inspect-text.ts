import { REFERENCE_TYPE } from '../oci/manifest.js';
import { formatPlatform } from '../oci/platform.js';
import type { InspectResult } from '../ops/inspect.js';
import { humanSize } from './bytes.js';
import { terminalSafe } from './terminal.js';

/** The readable summary of `regctl inspect`. */
export function renderInspect(r: InspectResult): string {
  const lines = [`Name:       ${r.name}`, `Digest:     ${r.digest}`, `MediaType:  ${r.mediaType}`];
  if (r.artifactType) lines.push(`ArtifactType: ${r.artifactType}`);
  if (r.subject) lines.push(`Subject:    ${r.subject.digest}`);
  if (r.manifests) {
    // Attestations are shown under the image they attest, not as platforms of their own (unknown/unknown).
    const images = r.manifests.filter((m) => !m.attestationOf);
    const attests = (m: { digest: string }) => r.manifests!.filter((a) => a.attestationOf === m.digest);
    lines.push('Platforms:');
    for (const m of images) {
      const what = m.platform ? formatPlatform(m.platform) : (m.artifactType ?? m.annotations?.[REFERENCE_TYPE] ?? 'unknown');
      lines.push(`  ${what.padEnd(16)} ${m.digest}  ${humanSize(m.size)}  ${m.mediaType}`);
      for (const a of attests(m)) lines.push(`    attestation      ${a.digest}  ${humanSize(a.size)}`);
    }
    const orphans = r.manifests.filter((a) => a.attestationOf && !images.some((m) => m.digest === a.attestationOf));
    if (orphans.length) lines.push('Attestations of images not in this index:');
    for (const a of orphans) lines.push(`  ${a.digest}  ${humanSize(a.size)}  (of ${a.attestationOf})`);
    return screenLines(lines);
  }
  const img = r.image!;
  if (img.platform) lines.push(`Platform:   ${formatPlatform(img.platform)}`);
  if (img.created) lines.push(`Created:    ${img.created}`);
  lines.push(`Config:     ${img.configDigest}  ${img.configMediaType}`);
  lines.push(`Layers:     ${img.layers.length}`);
  for (const l of img.layers) lines.push(`  ${l.digest}  ${humanSize(l.size).padStart(9)}  ${l.mediaType}`);
  lines.push(`Total size: ${humanSize(img.totalSize)}`);
  if (img.entrypoint) lines.push(`Entrypoint: ${JSON.stringify(img.entrypoint)}`);
  if (img.cmd) lines.push(`Cmd:        ${JSON.stringify(img.cmd)}`);
  if (img.workingDir) lines.push(`WorkingDir: ${img.workingDir}`);
  if (img.user) lines.push(`User:       ${img.user}`);
  if (img.env?.length) {
    lines.push('Env:');
    for (const e of img.env) lines.push(`  ${e}`);
  }
  const annotations = Object.entries(r.annotations ?? {});
  if (annotations.length) {
    lines.push('Annotations:');
    for (const [k, v] of annotations) lines.push(`  ${k}=${v}`);
  }
  const labels = Object.entries(img.labels ?? {});
  if (labels.length) {
    lines.push('Labels:');
    for (const [k, v] of labels) lines.push(`  ${k}=${v}`);
  }
  return screenLines(lines);
}

/** Lines of text for a terminal: whatever the image says (env, labels, annotations) cannot drive it. */
function screenLines(lines: string[]): string {
  return `${lines.map((l) => terminalSafe(l)).join('\n')}\n`;
}

/** The JSON form: name, digest, mediaType, size and either manifests or image. */
export function inspectJson(r: InspectResult): string {
  return `${JSON.stringify(inspectView(r), null, 2)}\n`;
}

/** What the JSON form shows (an entry of `inspect`'s JSON array for several images): the summary, without bytes or parsed documents. */
export function inspectView(r: InspectResult): Omit<InspectResult, 'raw' | 'configRaw' | 'manifest' | 'config' | 'repository' | 'repoTags' | 'platformImage'> {
  const { raw: _raw, configRaw: _configRaw, manifest: _manifest, config: _config, repository: _repository, repoTags: _tags, platformImage: _image, ...rest } = r;
  return rest;
}
