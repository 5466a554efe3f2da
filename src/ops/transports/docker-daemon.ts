import { UsageError } from '../../errors.js';
import { parseImageOrId } from '../../ref/image-id.js';
import { impliedTag, isDigestOnly } from '../../ref/selector.js';
import type { ImageLocation, LocationTransport } from './location-transport.js';

/**
 * `docker-daemon:NAME[:TAG]` (or `docker-daemon:sha256:ID` as a source): an image of the Docker daemon at
 * `$DOCKER_HOST` (else /var/run/docker.sock), as skopeo names it. Read: the daemon's `docker save` stream is unpacked
 * into a scratch directory and checked whole like any archive. Write: a docker archive of the host's platform is
 * streamed straight into `docker load`, nothing on disk; the daemon names it NAME:TAG (`latest` when no tag is given).
 */
export const dockerDaemonTransport: LocationTransport = {
  name: 'docker-daemon',
  usage: 'docker-daemon:NAME[:TAG]',
  parse(rest, whole): ImageLocation {
    if (!rest) throw new UsageError(`invalid target "${whole}": want ${dockerDaemonTransport.usage}`);
    const parsed = parseImageOrId(rest);
    const ref = 'ref' in parsed ? parsed.ref : undefined;
    const name = 'id' in parsed ? parsed.id : parsed.ref.name;
    const tagged = ref !== undefined && impliedTag(ref) !== undefined;
    return {
      transport: dockerDaemonTransport,
      text: whole,
      singlePlatform: true,
      ...(ref === undefined || isDigestOnly(ref) ? { digestOnly: true } : {}),
      // The daemon's client and the archive code are loaded on use, not by every command that parses a location.
      openSource: async (ctx) => (await import('./docker-daemon-io.js')).openDaemonSource(ctx, name, tagged),
      async openDestination(ctx) {
        if (!ref || ref.digest) {
          throw new UsageError(`"${whole}" cannot be written: the Docker daemon names what it loads NAME[:TAG]`, { hint: `want ${dockerDaemonTransport.usage}` });
        }
        return (await import('./docker-daemon-io.js')).openDaemonDestination(ctx, ref);
      },
    };
  },
};
