import type { DestinationTarget, SourceTarget } from '../../content/target.js';
import type { OpsContext, Warning } from '../context.js';

/**
 * A place images are read from or written to, named on the command line with a prefix (skopeo's transports):
 * `docker://REF` (or a plain reference), `oci:DIR[:REF]`, `docker-archive:FILE[:NAME]`. Each transport is one
 * file that parses its text and opens sources and destinations; index.ts lists them.
 */
export interface LocationTransport {
  /** The prefix without its colon: `oci`. */
  readonly name: string;
  /** Usage for help and errors: `oci:DIR[:TAG]`. */
  readonly usage: string;
  /** Parses what follows `name:`; `whole` is the text as given, for messages. UsageError when malformed. */
  parse(rest: string, whole: string): ImageLocation;
}

/** A parsed location: one image in a transport. */
export interface ImageLocation {
  readonly transport: LocationTransport;
  /** The text as given. */
  readonly text: string;
  /** The location names a digest and no tag: a copy from it writes by digest only, inventing no tag anywhere. */
  readonly digestOnly?: boolean;
  /** Holds docker's single-platform view of an image: a copy into it picks a platform out of an index. */
  readonly singlePlatform?: boolean;
  /** The digest the location names, which what is written there must have. */
  readonly expectDigest?: string;
  openSource(ctx: OpsContext): Promise<OpenedSource>;
  openDestination(ctx: OpsContext, opts: DestinationOptions): Promise<OpenedDestination>;
}

export interface OpenedSource {
  target: SourceTarget;
  /** The image's name, when the source knows one (for naming it in an archive). */
  name?: string;
  close(): Promise<void>;
}

/** What a destination is told of the source when it is opened: enough to choose the name it writes (see OpenedDestination.name). */
export interface DestinationOptions {
  /** The source's image name, for destinations that record names (archives). */
  sourceName?: string;
  /** The source names a digest and no tag: the destination invents no tag (ref/selector.ts destinationTag). */
  sourceDigestOnly?: boolean;
  /** Where warnings go (the CLI prints them); the library never prints. */
  warn?: (warning: Warning) => void;
}

/** A destination the caller owns: it commits or aborts `target` (content/target.ts writeTo) and closes it. */
export interface OpenedDestination {
  target: DestinationTarget;
  /**
   * The name the top manifest gets there, chosen once by the transport from its location and the source, in the
   * destination's own terms: a registry tag, a layout's ref name, the store's or an archive's image name. Absent:
   * the image is written by digest only (unnamed).
   */
  name?: string;
  /** Called when the copy failed, before close: removes what opening made (a directory that did not exist). */
  abort?(): Promise<void>;
  close(): Promise<void>;
}

export const noop = async (): Promise<void> => undefined;
