import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  at: number;
}

export interface WebhookReceiver {
  /** e.g. http://127.0.0.1:<port>/hooks/replicate */
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer with (default 204). */
  respondWith(status: number): void;
  /** Resolves when at least `n` deliveries have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A tiny HTTP endpoint that records webhook deliveries with their raw bodies. */
export async function startWebhookReceiver(path = '/hooks/replicate'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 204;
  const listeners: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: { ...req.headers }, rawBody: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(status);
      res.end();
      listeners.splice(0).forEach((l) => l());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    respondWith(s) {
      status = s;
    },
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`only ${received.length} of ${n} webhook deliveries arrived`)), timeoutMs);
        const check = () => {
          if (received.length >= n) {
            clearTimeout(t);
            resolve(received.slice());
          } else listeners.push(check);
        };
        check();
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
