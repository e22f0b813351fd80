/**
 * Just enough of the Lambda Invoke API, on 127.0.0.1, for the real SDK client to call: each function
 * (by name or ARN) answers with a payload, a function error, or not at all.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';

export type FunctionBehaviour =
  | { readonly result: unknown }
  | { readonly functionError: { readonly errorType: string; readonly errorMessage: string } }
  | { readonly status: number; readonly type: string; readonly message: string }
  | 'hang';

export interface Invocation {
  readonly functionName: string;
  readonly invocationType: string | undefined;
  readonly payload: string;
}

export interface FakeLambdaApi {
  readonly endpoint: string;
  readonly invocations: Invocation[];
  /** What a function does when invoked; functions without one answer `null`. */
  define(functionName: string, behaviour: FunctionBehaviour): void;
  /** A client pointed here, for `region`. */
  client(region: string): LambdaClient;
  reset(): void;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startFakeLambdaApi(): Promise<FakeLambdaApi> {
  const behaviours = new Map<string, FunctionBehaviour>();
  const invocations: Invocation[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = INVOKE_PATH.exec((req.url ?? '').split('?')[0] ?? '');
      if (req.method !== 'POST' || !match?.[1]) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"message":"not found"}');
        return;
      }
      const functionName = decodeURIComponent(match[1]);
      const header = req.headers['x-amz-invocation-type'];
      invocations.push({
        functionName,
        invocationType: typeof header === 'string' ? header : undefined,
        payload: Buffer.concat(chunks).toString('utf8'),
      });
      const behaviour = behaviours.get(functionName) ?? { result: null };
      if (behaviour === 'hang') return;
      if ('status' in behaviour) {
        res.writeHead(behaviour.status, {
          'Content-Type': 'application/json',
          'X-Amzn-ErrorType': behaviour.type,
        });
        res.end(JSON.stringify({ Type: 'User', message: behaviour.message }));
        return;
      }
      if ('functionError' in behaviour) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled' });
        res.end(JSON.stringify(behaviour.functionError));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' });
      res.end(JSON.stringify(behaviour.result));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const endpoint = `http://127.0.0.1:${address.port}`;

  return {
    endpoint,
    invocations,
    define(functionName, behaviour) {
      behaviours.set(functionName, behaviour);
    },
    client(region) {
      return new LambdaClient({
        region,
        endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 1,
      });
    },
    reset() {
      invocations.length = 0;
      behaviours.clear();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
