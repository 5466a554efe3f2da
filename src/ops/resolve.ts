import type { Reference } from '../ref/reference.js';

/** The tag or digest to ask the registry for: the digest wins when both are given, like docker. */
export const manifestReference = (ref: Reference): string => ref.digest ?? ref.tag ?? 'latest';
