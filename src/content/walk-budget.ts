import { ExitCode, RegctlError } from '../errors.js';
import { MAX_WALK_DEPTH, MAX_WALK_MANIFESTS } from '../util/limits.js';

/**
 * Ends every recursive walk of manifests (indexes, referrers): cycles are caught by digest, and a source that
 * invents new manifests forever is stopped at MAX_WALK_DEPTH levels or MAX_WALK_MANIFESTS manifests, with an error
 * naming the walk instead of thousands of requests.
 */
export class WalkBudget {
  private visited = 0;

  constructor(private readonly what: string) {}

  /** Counts one manifest at `depth` (the top is 0); throws ERR_WALK_LIMIT past either limit. */
  visit(depth: number): void {
    if (depth > MAX_WALK_DEPTH) throw this.error(`it nests deeper than ${MAX_WALK_DEPTH} levels`);
    if (++this.visited > MAX_WALK_MANIFESTS) throw this.error(`it holds more than ${MAX_WALK_MANIFESTS} manifests`);
  }

  private error(problem: string): RegctlError {
    return new RegctlError('ERR_WALK_LIMIT', `${this.what}: stopped: ${problem}`, ExitCode.failure, {
      hint: 'a source whose indexes or referrers never end is broken or hostile',
    });
  }
}
