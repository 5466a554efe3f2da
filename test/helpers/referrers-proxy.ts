import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLoopback, type ProxyHandle } from './proxy.js';

/**
 * The OCI 1.1 referrers API in front of a real registry that lacks it (distribution 2.8): serves
 * `GET /v2/<name>/referrers/<digest>` (artifactType filter with `OCI-Filters-Applied`, `Link` pages of `pageSize`)
 * from the manifests with a `subject` pushed through it, answers their PUTs with `OCI-Subject` as the spec asks of
 * a registry with the API, and passes every other request through unchanged.
 */
export type ReferrersProxyHandle = ProxyHandle;

interface Entry {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export async function startReferrersProxy(upstream: string, opts: { pageSize?: number } = {}): Promise<ReferrersProxyHandle> {
  const target = new URL(upstream);
  const pageSize = opts.pageSize ?? 100;
  const requests: string[] = [];
  const referrers = new Map<string, Entry[]>(); // `${name}@${subject}` → entries, in push order

  const serveReferrers = (res: ServerResponse, name: string, subject: string, url: URL): void => {
    const type = url.searchParams.get('artifactType');
    const all = (referrers.get(`${name}@${subject}`) ?? []).filter((e) => !type || e.artifactType === type);
    const page = Number(url.searchParams.get('page') ?? '0');
    const manifests = all.slice(page * pageSize, (page + 1) * pageSize);
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (type) headers['oci-filters-applied'] = 'artifactType';
    if ((page + 1) * pageSize < all.length) {
      const next = new URL(url.pathname, 'http://x');
      next.searchParams.set('page', String(page + 1));
      if (type) next.searchParams.set('artifactType', type);
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, onOk?: () => Record<string, string>): void => {
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        const extra = upRes.statusCode === 201 && onOk ? onOk() : {};
        res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, ...extra });
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    if (body) up.end(body);
    else req.pipe(up);
  };

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', target);
    const listing = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/.exec(url.pathname);
    if (listing && req.method === 'GET') return serveReferrers(res, listing[1]!, listing[2]!, url);
    const put = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname);
    if (!put || req.method !== 'PUT') return forward(req, res, undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let doc: Record<string, any> = {};
      try {
        doc = JSON.parse(body.toString('utf8'));
      } catch {
        // not JSON: the registry will say so
      }
      forward(req, res, body, (): Record<string, string> => {
        if (!doc.subject?.digest) return {};
        const key = `${put[1]}@${doc.subject.digest}`;
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const artifactType = doc.artifactType ?? (doc.config ? doc.config.mediaType : undefined);
        const entry: Entry = {
          mediaType: doc.mediaType ?? String(req.headers['content-type']),
          digest,
          size: body.length,
          ...(artifactType ? { artifactType } : {}),
          ...(doc.annotations ? { annotations: doc.annotations } : {}),
        };
        const list = referrers.get(key) ?? [];
        if (!list.some((e) => e.digest === digest)) list.push(entry);
        referrers.set(key, list);
        return { 'oci-subject': doc.subject.digest };
      });
    });
  });
  return listenLoopback(server, requests);
}
