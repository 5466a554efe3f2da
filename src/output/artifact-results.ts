// What `artifact push` and `artifact pull` print, as `--format` says: text, JSON, or a Go template over their results.
import type { ArtifactPullResult } from '../ops/artifact-pull.js';
import type { ArtifactPushResult } from '../ops/artifact-push.js';
import { record } from '../template/template.js';
import { descriptorData } from './template-data.js';
import { terminalSafe } from './terminal.js';
import { renderResult, type ResultFormat } from './verb-results.js';

/** An artifact pushed: its digest; JSON is the manifest's descriptor; a template sees `Digest`, `Tag`, `Layers`, …. */
export function renderArtifactPushed(format: ResultFormat, r: ArtifactPushResult): string {
  const json = { mediaType: r.mediaType, digest: r.digest, size: r.size, ...(r.artifactType ? { artifactType: r.artifactType } : {}) };
  return renderResult(format, `${r.digest}\n`, json, () => record({
    Reference: r.reference, Tag: r.tag ?? '', Digest: r.digest, MediaType: r.mediaType, Size: r.size, ArtifactType: r.artifactType ?? '',
    Config: descriptorData(r.config), Layers: r.layers.map(descriptorData), ...(r.subject ? { Subject: descriptorData(r.subject) } : {}),
  }, 'ArtifactPush'));
}

/** An artifact pulled: each path written, one a line; a template sees `Digest`, `Output`, `Files` (`Path`, `Digest`, …). */
export function renderArtifactPulled(format: ResultFormat, r: ArtifactPullResult): string {
  const text = r.files.map((f) => `${terminalSafe(f.path)}\n`).join('');
  return renderResult(format, text, r, () => record({
    Reference: r.reference, Digest: r.digest, ArtifactType: r.artifactType ?? '', Output: r.output,
    Files: r.files.map((f) => record({ Path: f.path, Digest: f.digest, Size: f.size, MediaType: f.mediaType, Unpacked: f.unpacked }, 'PulledFile')),
  }, 'ArtifactPull'));
}
