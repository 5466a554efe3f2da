// The forms an image location takes (`oci:DIR`, `docker-archive:FILE`, …), for help and shell completion.
export { TRANSPORTS, transportUsage } from '../ops/transports/index.js';
