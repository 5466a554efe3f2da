import { ExitCode, NotFoundError, RegctlError, UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { familiarReference, parseReference } from '../ref/parse.js';
import { DEFAULT_TAG } from '../ref/reference.js';
import { givenSelector, isDigestOnly } from '../ref/selector.js';
import { gcLayout } from './gc.js';
import { entryName } from './layout.js';
import { storeName, type ImageStore } from './store.js';

export interface RemoveResult {
  /** Names untagged, in docker's familiar form (`alpine:latest`). */
  untagged: string[];
  /** IDs of the images whose content went with their last name. */
  deleted: string[];
  freedBytes: number;
}

const FULL_ID = /^(sha256:)?([0-9a-f]{64})$/;
const SHORT_ID = /^[0-9a-f]{1,63}$/;

/**
 * `rmi ARG`, as docker: ARG is a name (`alpine`, `reg:5000/app:1`, `app@sha256:…`), an image ID or manifest digest
 * (`sha256:…`, or its 64 hex), or a unique prefix of an image ID (what `images` shows). A name untags that name; an
 * ID untags every name of the image, which must all be of one repository unless `force`. Blobs no remaining image
 * needs are then removed, and the image is reported deleted when its manifest went with them.
 */
export async function removeImage(store: ImageStore, arg: string, opts: { force?: boolean } = {}): Promise<RemoveResult> {
  const entries = await store.entries();
  const { matches, byId } = await select(store, entries, arg);
  if (byId && !opts.force) {
    const repos = new Set(matches.map((m) => repoOf(m.name)));
    if (repos.size > 1) {
      throw new RegctlError('ERR_IMAGE_CONFLICT', `unable to delete ${arg} (must be forced): the image is referenced in ${repos.size} repositories`, ExitCode.failure, {
        option: 'force',
        hint: 'remove it by name, or untag every name: give option force',
      });
    }
  }
  const digests = new Set(matches.map((m) => m.entry.digest));
  const names = new Set(matches.map((m) => m.name));
  await store.layout.removeEntries((e) => digests.has(e.digest) && names.has(entryName(e) ?? ''));
  const gc = await gcLayout(store.layout);
  const removed = new Set(gc.removedBlobs);
  const deleted = [...new Set(matches.filter((m) => removed.has(m.entry.digest)).map((m) => m.id))];
  return { untagged: matches.map((m) => familiarReference(parseReference(m.name))), deleted, freedBytes: gc.freedBytes };
}

interface Match {
  entry: Descriptor;
  name: string;
  id: string;
}

async function select(store: ImageStore, entries: Descriptor[], arg: string): Promise<{ matches: Match[]; byId: boolean }> {
  const named = await Promise.all(entries.filter((e) => entryName(e)?.includes('/')).map(async (e) => ({ entry: e, name: entryName(e)!, id: await store.imageId(e) })));
  const full = FULL_ID.exec(arg);
  if (full) {
    const d = `sha256:${full[2]}`;
    const hits = named.filter((m) => m.id === d || m.entry.digest === d);
    if (hits.length === 0) throw noSuchImage(arg);
    return { matches: hits, byId: true };
  }
  if (SHORT_ID.test(arg)) {
    const byName = tryName(named, arg);
    if (byName.length > 0) return { matches: byName, byId: false };
    const ids = new Set(named.filter((m) => m.id.startsWith(`sha256:${arg}`)).map((m) => m.id));
    if (ids.size > 1) throw new UsageError(`${arg} is ambiguous: it begins ${ids.size} image IDs`, { hint: 'give more characters of the ID' });
    const [id] = ids;
    if (id === undefined) throw noSuchImage(arg);
    return { matches: named.filter((m) => m.id === id), byId: true };
  }
  const hits = tryName(named, arg);
  if (hits.length === 0) throw noSuchImage(arg);
  return { matches: hits, byId: false };
}

/** The entries a name points at: `repo@digest` every name of that repository at that digest, else the name itself. */
function tryName(named: Match[], arg: string): Match[] {
  let r;
  try {
    r = parseReference(arg);
  } catch {
    return [];
  }
  if (isDigestOnly(r)) return named.filter((m) => m.entry.digest === r.digest && repoOf(m.name) === `${r.registry}/${r.repository}`);
  const want = storeName(r);
  return named.filter((m) => m.name === want);
}

function repoOf(name: string): string {
  const r = parseReference(name);
  return `${r.registry}/${r.repository}`;
}

function noSuchImage(arg: string): NotFoundError {
  // An ID is shown as given; a name without tag or digest with docker's default tag.
  let shown = arg;
  try {
    const r = parseReference(arg);
    if (!FULL_ID.test(arg) && !SHORT_ID.test(arg) && givenSelector(r) === undefined) shown = `${arg}:${DEFAULT_TAG}`;
  } catch {
    // not a name: shown as given
  }
  return new NotFoundError(`no such image: ${shown} (not found in the local store)`, { code: 'ERR_IMAGE_NOT_FOUND', hint: 'list the local store\'s images for their names and IDs' });
}
