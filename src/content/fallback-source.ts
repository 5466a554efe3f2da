import type { Readable } from 'node:stream';
import { RegctlError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import type { BlobSource, Referrer, ReferrerFilter, SourceTarget } from './target.js';

/**
 * Tries each source in order (mirrors first, the origin last): the first that resolves the reference serves the
 * whole copy. A mirror that fails (not found, unreachable, refused) is passed over; the last error is thrown.
 */
export class FallbackSource implements SourceTarget {
  private chosen?: SourceTarget;

  constructor(private readonly candidates: SourceTarget[]) {
    if (!candidates.length) throw new RangeError('FallbackSource needs at least one source');
  }

  get description(): string {
    return (this.chosen ?? this.candidates.at(-1)!).description;
  }

  get blobSource(): BlobSource | undefined {
    return (this.chosen ?? this.candidates.at(-1)!).blobSource;
  }

  /** Which candidate answered (for messages and tests). */
  get selected(): SourceTarget | undefined {
    return this.chosen;
  }

  resolve(): Promise<Descriptor> {
    return this.first((c) => c.resolve());
  }

  /** The cheapest answer of the first candidate that has the image (a mirror's HEAD when it has it). */
  head(): Promise<Descriptor> {
    return this.first((c) => c.head());
  }

  private async first(ask: (candidate: SourceTarget) => Promise<Descriptor>): Promise<Descriptor> {
    let last: unknown;
    for (const candidate of this.candidates) {
      try {
        const desc = await ask(candidate);
        this.chosen = candidate;
        return desc;
      } catch (err) {
        if (!(err instanceof RegctlError) || candidate === this.candidates.at(-1)) throw err;
        last = err;
      }
    }
    throw last;
  }

  fetchManifest(desc: Descriptor): Promise<Buffer> {
    return this.source().fetchManifest(desc);
  }

  fetchBlob(desc: Descriptor, offset?: number): Promise<{ stream: Readable; resumed: boolean }> {
    return this.source().fetchBlob(desc, offset);
  }

  /** Tags as the origin (the last source) lists them: mirrors may hold only what was pulled through them. */
  listTags(): Promise<string[]> {
    const origin = this.candidates.at(-1)!;
    if (!origin.listTags) throw new RangeError(`${origin.description} cannot list tags`);
    return origin.listTags();
  }

  /** The same candidates, each at another reference (those that cannot address one are left out). */
  at(selector: string): SourceTarget {
    const moved = this.candidates.filter((c) => c.at).map((c) => c.at!(selector));
    return moved.length === 1 ? moved[0]! : new FallbackSource(moved);
  }

  /** The referrers the chosen source knows (a mirror may lack signatures the origin has: none is invented). */
  async referrers(subject: Descriptor, filter?: ReferrerFilter): Promise<Referrer[]> {
    return (await this.source().referrers?.(subject, filter)) ?? [];
  }

  private source(): SourceTarget {
    if (!this.chosen) throw new RangeError('FallbackSource used before resolve()');
    return this.chosen;
  }
}
