// Private listeners: further HTTPS listeners (an address only the private network reaches, or a Unix socket) that
// play the part of Azure private endpoints. They serve exactly what the main listener serves, through the same Fastify
// instance; the only difference is that their connections are marked, so the data plane exempts them from a vault's
// public-network rules (publicNetworkAccess, networkAcls), as Azure exempts private-endpoint traffic.
import { connect, type Socket } from 'node:net';
import { lstat, unlink } from 'node:fs/promises';
import https from 'node:https';
import type { FastifyInstance } from 'fastify';
import { StartupError } from '../errors.js';
import { formatListenAddress, type ListenAddress } from '../network/listen-address.js';

export interface PrivateListeners {
  /** Whether a request's socket arrived through a private listener. */
  isPrivate(socket: Socket): boolean;
  /** Starts listening; `app` must be ready (it is once its own listen() resolved). Returns what it listens on. */
  listen(app: FastifyInstance): Promise<string[]>;
  /** Stops accepting, closes idle keep-alive connections and waits for requests in flight. */
  close(): Promise<void>;
}

export function createPrivateListeners(opts: { addresses: ListenAddress[]; tls: { cert: string; key: string }; requestTimeoutMs: number }): PrivateListeners {
  const privateSockets = new WeakSet<Socket>();
  const servers: https.Server[] = [];

  return {
    isPrivate: (socket) => privateSockets.has(socket),
    async listen(app) {
      const listening: string[] = [];
      for (const address of opts.addresses) {
        const server = https.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2', requestTimeout: opts.requestTimeoutMs }, (req, res) => app.routing(req, res));
        server.on('secureConnection', (socket: Socket) => privateSockets.add(socket));
        await new Promise<void>((resolve, reject) => {
          server.once('error', (error) => reject(new StartupError(`private listener ${formatListenAddress(address)}: ${error.message}`)));
          const done = () => (server.removeAllListeners('error'), resolve());
          if (address.kind === 'unix') server.listen(address.path, done);
          else server.listen(address.port, address.host, done);
        });
        servers.push(server);
        listening.push(formatListenAddress(address));
      }
      return listening;
    },
    async close() {
      await Promise.all(
        servers.splice(0).map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeIdleConnections();
            }),
        ),
      );
    },
  };
}

/**
 * Removes a Unix socket file a crashed server left behind, so listening on it does not fail with EADDRINUSE. Leaves a
 * socket something still answers on (listening then fails and says so) and anything that is not a socket.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats?.isSocket()) return;
  const answered = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => (probe.destroy(), resolve(true)));
    probe.once('error', () => resolve(false));
  });
  if (!answered) await unlink(path);
}
