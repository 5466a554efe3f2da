import { UsageError } from '../errors.js';
import { parseReference, parseRepository, type RepositoryName } from '../ref/parse.js';
import { givenSelector } from '../ref/selector.js';
import type { SyncRegistry } from './sync-file.js';
import { tagFilter, type TagFilter, type TagRules } from './tag-filter.js';

/** One source repository mirrored into one destination repository. */
export interface SyncJob {
  source: RepositoryName;
  destination: RepositoryName;
  /** Tags or digests to copy; undefined: every tag the source lists, through `filter` when given. */
  references?: string[];
  filter?: TagFilter;
  /** The sync file's entry for the source registry: its `tls-verify`, `cert-dir` and `credentials` apply to reads. */
  sourceRegistry?: SyncRegistry;
}

/** sync's options for its tag rules. */
const SYNC_RULES = { include: 'tags', exclude: 'exclude', semver: 'semver' } as const;

/**
 * A sync from a repository: SOURCE is a repository (every tag, or those `rules` keep: sync's options `tags`,
 * `exclude`, `semver`) or one image (`repo:tag`, `repo@digest`); DESTINATION is the destination repository itself.
 */
export function repositoryJob(source: string, destination: string, rules: TagRules = {}): SyncJob {
  const src = parseReference(source);
  const dst = parseRepository(destination);
  const one = givenSelector(src);
  const given = (['include', 'exclude', 'semver'] as const).find((k) => rules[k] !== undefined);
  if (one && given) {
    throw new UsageError(`${source} names one image: option ${SYNC_RULES[given]} selects among a repository's tags`, {
      option: SYNC_RULES[given],
      hint: 'give the repository without a tag',
    });
  }
  const filter = tagFilter(rules, SYNC_RULES);
  return {
    source: parseRepository(`${src.registry}/${src.repository}`),
    destination: dst,
    ...(one ? { references: [one] } : {}),
    ...(Object.keys(filter).length ? { filter } : {}),
  };
}

/**
 * The jobs of a skopeo sync file into `destination` (a registry, optionally with a path): each repository lands
 * at `destination/<last component of its path>`, or with `scoped` at `destination/<registry>/<path>`, as skopeo
 * names them. Each registry's `tls-verify`, `cert-dir` and `credentials` apply to its own reads.
 */
export function fileJobs(registries: SyncRegistry[], destination: string, opts: { scoped?: boolean } = {}): SyncJob[] {
  const prefix = destination.replace(/\/+$/, '');
  parseRepository(`${prefix}/x`); // a clear error for a malformed destination before anything is read
  const jobs: SyncJob[] = [];
  for (const reg of registries) {
    for (const repo of reg.repositories) {
      const suffix = opts.scoped ? `${repo.repository.registry}/${repo.repository.repository}` : repo.repository.repository.split('/').at(-1)!;
      jobs.push({
        source: repo.repository,
        destination: parseRepository(`${prefix}/${suffix}`),
        ...(repo.references ? { references: repo.references } : {}),
        ...(repo.filter ? { filter: repo.filter } : {}),
        sourceRegistry: reg,
      });
    }
  }
  return jobs;
}

