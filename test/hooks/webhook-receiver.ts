/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 (port chosen by the OS) that checks
 * each request's signature the way a customer's receiver would, records it, and answers as told:
 * with a status and body, or not at all ('hang').
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { verifyWebhookSignature } from '../../lambdas/hooks/sign-webhook';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signatureValid: boolean;
}

export type Answer = {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
};

/** Decides the answer to a request; `count` is how many requests that path has had, this one included. */
export type Responder = (request: ReceivedRequest, count: number) => Answer | 'hang';

export interface WebhookReceiver {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  respond(responder: Responder): void;
  /** Forget requests and go back to answering 200 to valid signatures and 401 to the rest. */
  reset(): void;
  close(): Promise<void>;
}

/** The default: what a careful receiver does. */
export const verifying: Responder = (request) =>
  request.signatureValid
    ? { status: 200, body: '{"received":true}' }
    : { status: 401, body: 'bad signature' };

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let responder: Responder = verifying;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
        signatureValid: verifyWebhookSignature(body, req.headers, secret),
      };
      requests.push(request);
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const answer = responder(request, count);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');

  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    respond(next) {
      responder = next;
    },
    reset() {
      requests.length = 0;
      counts.clear();
      responder = verifying;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
