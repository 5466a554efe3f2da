// Docker Hub's v1 search endpoint (`GET /v1/search?q=&n=&page=`), which the registry does not serve.
// Names are returned as given: Hub lists official images with a bare name (`mysql`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchFixtureHandle {
  url: string;
  /** The query string of every search request, in order. */
  requests: URLSearchParams[];
  stop(): Promise<void>;
}

const DEFAULT_PAGE_SIZE = 25;

/** Answers with the results whose name contains q (case-insensitively), n per page (default 25). */
export async function startSearchFixture(results: SearchResult[]): Promise<SearchFixtureHandle> {
  const requests: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/v1/search') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    requests.push(url.searchParams);
    const query = url.searchParams.get('q') ?? '';
    const pageSize = Number(url.searchParams.get('n') ?? DEFAULT_PAGE_SIZE);
    const page = Number(url.searchParams.get('page') ?? 1);
    const matches = results.filter((r) => r.name.toLowerCase().includes(query.toLowerCase()));
    const body = JSON.stringify({
      num_pages: Math.ceil(matches.length / pageSize),
      num_results: matches.length,
      page_size: pageSize,
      page,
      query,
      results: matches.slice((page - 1) * pageSize, page * pageSize),
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
