// A registry that misbehaves on purpose, on loopback: each scenario is one way a hostile or broken server (or a
// hostile archive) has hurt clients. The real registry cannot be made to do any of this, so it is a fixture of
// its own; everything it serves is a small, valid image otherwise.
import { createWriteStream } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer as createNet, isIP, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { sha256 } from './bytes.js';

export type Scenario =
  /** Manifest headers, then one byte every 2 s. */
  | 'slow-body'
  /** Accepts connections to the manifest and never answers. */
  | 'no-headers'
  /** tags/list: a new `Link: rel="next"` forever, each page with new names (or the same body, `sameBody`). */
  | 'endless-link'
  /** tags/list: page 2 links back to page 1 with its query in another order. */
  | 'link-back'
  /** 401 with a Bearer challenge whose realm is `realm` (an http:// or link-local URL). */
  | 'realm'
  /** The blob is served complete (Content-Length) but 10 bytes shorter than the manifest says. */
  | 'short-blob'
  /** The manifest's connection closes after 10 of its bytes. */
  | 'mid-body-close'
  /** The manifest GET redirects to file:///etc/passwd. */
  | 'redirect-file'
  /** The manifest's Docker-Content-Digest names other bytes (HEAD and GET). */
  | 'lying-digest'
  /** tags/list: one page of `tags` (default HOSTILE_TAGS); every tag is the image. */
  | 'tag-list'
  /** The image's env, labels and annotations and every error body hold TERMINAL_ATTACK. */
  | 'terminal-text'
  /** The referrers API answers every digest with one new referrer, made up on the spot: a chain without end. */
  | 'endless-referrers'
  /** `REPO:1` is an index naming the image `repeats` times (default 3000). */
  | 'repeated-child'
  /** `REPO:1` is 100,000 nested JSON arrays (valid JSON, 200 kB). */
  | 'deep-json'
  /** `REPO:1` is a 9 MiB manifest (over the 8 MiB any client reads). */
  | 'huge-manifest';

/** Clears the screen, sets the window title, turns text red and reverses what follows. */
export const TERMINAL_ATTACK = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil';

/**
 * Tags no registry may list: a path that climbs into another repository (where a client that joins it into a URL
 * overwrites `victim:orig`), one that climbs out of the API, one too long, one with a right-to-left override and
 * one that clears the screen; and one valid tag, `1`.
 */
export const HOSTILE_TAGS = ['1', '../../victim/manifests/orig', '../../../etc', 'x'.repeat(300), 'evil\u202egnp.exe', '\u001b[2J\u001b]0;pwned\u0007'];

export interface HostileOptions {
  /** Serve https with this key pair. */
  tls?: { cert: string; key: string };
  /** For 'realm': the realm the challenge names. */
  realm?: string;
  /** For 'endless-link': every page has the same body. */
  sameBody?: boolean;
  /** For 'tag-list': the tags listed. */
  tags?: string[];
  /** For 'repeated-child': how often the index names its one child. */
  repeats?: number;
}

export interface HostileServer {
  /** '127.0.0.1:PORT' */
  host: string;
  url: string;
  /** Every request as `METHOD path?query`. */
  requests: string[];
  /** The image every scenario serves: `REPO:1` is this manifest; its one layer is `layer`. */
  manifest: Buffer;
  digest: string;
  layer: Buffer;
  stop(): Promise<void>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** An artifact whose subject is `subject`: one more link of a chain of referrers. */
function chainLink(subject: string): Buffer {
  const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/x-chain', config: empty, layers: [],
    subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 },
  }));
}

export async function startHostile(scenario: Scenario, opts: HostileOptions = {}): Promise<HostileServer> {
  const text = scenario === 'terminal-text';
  const layer = Buffer.alloc(4096, 7);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: text ? [sha256(layer)] : [] },
    ...(text ? { config: { Env: [`A=${TERMINAL_ATTACK}`], Labels: { [`k${TERMINAL_ATTACK}`]: TERMINAL_ATTACK } } } : {}),
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    ...(text ? { annotations: { note: TERMINAL_ATTACK } } : {}),
  }));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let page = 0;
  /** Manifests made up on request (endless-referrers), by digest. */
  const made = new Map<string, Buffer>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (scenario === 'realm') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${opts.realm}",service="hostile"` }).end();
      return;
    }
    if (url.pathname === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (url.pathname.endsWith('/tags/list')) return tags(url, res);
    const isManifest = url.pathname.includes('/manifests/') && !(text && url.pathname.endsWith('/missing'));
    if (isManifest && scenario === 'no-headers') return; // hold the request open, say nothing
    if (isManifest && scenario === 'redirect-file') return void res.writeHead(307, { location: 'file:///etc/passwd' }).end();
    const referrersOf = scenario === 'endless-referrers' ? /\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname)?.[1] : undefined;
    if (referrersOf) {
      const child = chainLink(referrersOf);
      made.set(sha256(child), child);
      const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, artifactType: 'application/x-chain', digest: sha256(child), size: child.length }] };
      return void res.writeHead(200, { 'content-type': OCI_INDEX }).end(JSON.stringify(index));
    }
    if (isManifest) {
      const [body, type] = documentFor(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
      const announced = scenario === 'lying-digest' ? sha256('not the manifest') : sha256(body);
      const headers = { 'content-type': type, 'docker-content-digest': announced, 'content-length': String(body.length) };
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return void res.end();
      if (scenario === 'mid-body-close') {
        res.write(manifest.subarray(0, 10));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (scenario === 'slow-body') return drip(res, manifest);
      return void res.end(body);
    }
    if (url.pathname.endsWith(`/blobs/${sha256(config)}`)) return void res.writeHead(200, { 'content-length': String(config.length) }).end(config);
    if (url.pathname.endsWith(`/blobs/${sha256(layer)}`)) {
      const body = scenario === 'short-blob' ? layer.subarray(0, layer.length - 10) : layer;
      return void res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    }
    const message = text ? TERMINAL_ATTACK : 'nothing here';
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message }] }));
  };

  /** The manifest a reference names: the image, unless the scenario serves something else under `1` (or made it up). */
  function documentFor(reference: string): [Buffer, string] {
    const made_ = made.get(reference);
    if (made_) return [made_, OCI_MANIFEST];
    if (reference === '1' && scenario === 'repeated-child') {
      const child = { mediaType: OCI_MANIFEST, digest: sha256(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } };
      return [Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array(opts.repeats ?? 3000).fill(child) })), OCI_INDEX];
    }
    if (reference === '1' && scenario === 'huge-manifest') return [Buffer.concat([manifest, Buffer.alloc(9 << 20, 0x20)]), OCI_MANIFEST];
    if (reference === '1' && scenario === 'deep-json') return [Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), OCI_MANIFEST];
    return [manifest, OCI_MANIFEST];
  }

  function tags(url: URL, res: ServerResponse): void {
    const repo = url.pathname.slice('/v2/'.length, -'/tags/list'.length);
    if (scenario === 'endless-referrers' || scenario === 'repeated-child' || scenario === 'deep-json' || scenario === 'huge-manifest') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: repo, tags: ['1'] }));
    }
    if (scenario === 'tag-list') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: repo, tags: opts.tags ?? HOSTILE_TAGS }));
      return;
    }
    if (scenario === 'link-back') {
      const second = url.searchParams.has('last');
      const next = second ? `</v2/${repo}/tags/list?n=1000>; rel="next"` : `</v2/${repo}/tags/list?last=b&n=1000>; rel="next"`;
      res.writeHead(200, { 'content-type': 'application/json', link: next }).end(JSON.stringify({ name: repo, tags: second ? ['b', 'c'] : ['a', 'b'] }));
      return;
    }
    page++;
    const names = opts.sameBody ? ['a', 'b'] : [`t${page}a`, `t${page}b`];
    res.writeHead(200, { 'content-type': 'application/json', link: `</v2/${repo}/tags/list?n=2&last=${names[1]}&p=${page}>; rel="next"` });
    res.end(JSON.stringify({ name: repo, tags: names }));
  }

  function drip(res: ServerResponse, body: Buffer): void {
    let i = 0;
    const tick = () => {
      if (res.destroyed || i >= body.length) return void res.end();
      res.write(body.subarray(i, ++i));
      const t = setTimeout(tick, 2000);
      timers.add(t);
    };
    tick();
  }

  const server: Server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttp(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    url: `${opts.tls ? 'https' : 'http'}://${host}`,
    requests,
    manifest,
    digest: sha256(manifest),
    layer,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Records token requests (and whether they carried credentials): the realm a hostile registry names. Plain http,
 * or https with `tls`; `host` names it in the URL instead of 127.0.0.1 (for a resolver stub to answer).
 */
export async function startRealmRecorder(opts: { tls?: { cert: string; key: string }; host?: string } = {}): Promise<{ url: string; port: number; seen: { authorization?: string }[]; stop(): Promise<void> }> {
  const seen: { authorization?: string }[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.headers.authorization ? { authorization: req.headers.authorization } : {});
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}');
  };
  const server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}/token`,
    port,
    seen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections on loopback and never says a word: a TLS handshake with it never ends. */
export async function startSilent(): Promise<{ host: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNet((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resolver stub (the `network.dnsLookup` of createContext): `names` map to addresses; anything else does not exist. */
export function stubLookup(names: Record<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = names[hostname];
    const cb = callback as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
    if (address === undefined) return void process.nextTick(() => cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0));
    const family = isIP(address);
    process.nextTick(() => (options as LookupOptions).all ? cb(null, [{ address, family }]) : cb(null, address, family));
  };
}

/**
 * A gzip bomb: a .tar.gz whose one entry (named like no image file: `zeros.bin`) is `size` zero bytes, about
 * 1000:1 (3 GiB of expansion is a 3 MB file). The trailer's CRC is not computed: a reader that expands the whole
 * bomb fails only at its very end.
 */
export async function writeGzipBomb(path: string, size: number): Promise<void> {
  await writeGzipTar(path, [tarHeader('zeros.bin', size), size, Buffer.alloc(512 - (size % 512 || 512) + 1024)], { crc: false });
}

/**
 * A .tar.gz of `pieces` in order: buffers as they are (tar headers, whole tars), numbers as that many zero bytes.
 * Built from one deflated MiB of zeros repeated (each piece ends on a sync flush, so pieces concatenate), in
 * milliseconds whatever the size; `crc: false` leaves the trailer's CRC out (a bomb need not be whole).
 */
export async function writeGzipTar(path: string, pieces: Array<Buffer | number>, opts: { crc?: boolean } = {}): Promise<void> {
  const MiB = 1 << 20;
  const sync = { finishFlush: zlibConstants.Z_SYNC_FLUSH };
  const zeros = deflateRawSync(Buffer.alloc(MiB), sync);
  const out = createWriteStream(path);
  const write = (b: Buffer) => (out.write(b) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]));
  const zeroMiB = Buffer.alloc(MiB);
  let length = 0;
  let crc = 0;
  for (const p of pieces) {
    if (typeof p !== 'number') {
      await write(deflateRawSync(p, sync));
      // (node 20's crc32 of an empty buffer answers 0 once deflateRawSync has seen that buffer)
      if (opts.crc !== false && p.length > 0) crc = crc32(p, crc);
    } else {
      for (let left = p; left > 0; left -= MiB) {
        await write(left >= MiB ? zeros : deflateRawSync(Buffer.alloc(left), sync));
        if (opts.crc !== false) crc = crc32(left >= MiB ? zeroMiB : Buffer.alloc(left), crc);
      }
    }
    length += typeof p === 'number' ? p : p.length;
  }
  await write(deflateRawSync(Buffer.alloc(0))); // final block
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  await new Promise<void>((resolve, reject) => out.end(trailer, () => resolve()).once('error', reject));
}

/** A ustar header of a regular file `name` holding `size` bytes (the body, and its padding to 512, follow it). */
export function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (text: string, at: number) => header.write(text, at, 'latin1');
  field(name, 0);
  field('0000644\0', 100);
  field('0000000\0', 108);
  field('0000000\0', 116);
  field(size.toString(8).padStart(11, '0') + '\0', 124);
  field('00000000000\0', 136);
  field('        ', 148);
  field('0', 156);
  field('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return header;
}
