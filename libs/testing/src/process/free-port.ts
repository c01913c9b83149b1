import { createServer } from 'node:net';

/**
 * A loopback port free right now, for a service that must come back on the same address after
 * a restart (a supervisor's fixed port); another process could take it in between, rarely.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port was assigned'));
      });
    });
  });
}
