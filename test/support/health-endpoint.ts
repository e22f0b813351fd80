import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * A health endpoint on 127.0.0.1 that answers 200, or what the test says, per region: the plan's
 * URL health check points here (`?region={region}`).
 */
export function healthEndpointForTests() {
  let server: Server | undefined;
  const status: Record<string, number> = {};
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const region = new URL(req.url ?? '/', 'http://x').searchParams.get('region') ?? '';
      res.writeHead(status[region] ?? 200).end('ok');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });
  return {
    url: () =>
      `http://127.0.0.1:${(server?.address() as AddressInfo | undefined)?.port}/health?region={region}`,
    setStatus: (region: string, code: number) => {
      status[region] = code;
    },
    requests,
  };
}
