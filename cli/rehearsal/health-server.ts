/**
 * The application's health endpoint during the rehearsal: an HTTP server on 127.0.0.1 that answers
 * `200 ok` to the plan's URL health checks (`/health?region=us-west-2`) and remembers who asked
 * about which region, so the rehearsal can show that the gates really called it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const HEALTH_HOST = '127.0.0.1';

export interface HealthServer {
  readonly port: number;
  /** Requests answered, per `region` query parameter. */
  readonly requestsByRegion: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HEALTH_HOST);
  });
}

/**
 * Listens on `preferredPort` if it is free, else on a port the OS picks. The caller compares
 * `port` with what it asked for and adjusts the plan's URLs (in memory) when they differ.
 */
export async function startHealthServer(preferredPort?: number): Promise<HealthServer> {
  const requestsByRegion = new Map<string, number>();
  const server = createServer((req, res) => {
    const region = new URL(req.url ?? '/', `http://${HEALTH_HOST}`).searchParams.get('region') ?? '';
    requestsByRegion.set(region, (requestsByRegion.get(region) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end('ok');
  });
  let port: number;
  try {
    port = await listen(server, preferredPort ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || preferredPort === undefined) throw error;
    port = await listen(server, 0);
  }
  // Never keep the process alive on its own.
  server.unref();
  let stopped: Promise<void> | undefined;
  return {
    port,
    requestsByRegion,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
