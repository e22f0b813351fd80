/** The plan's health check target: a tiny HTTP server on 127.0.0.1 (a free port) that answers 200. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  /** With `{region}` for the plan to fill in. */
  readonly url: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startHealthServer(): Promise<HealthServer> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health?region={region}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
