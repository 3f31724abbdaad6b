/**
 * A TCP proxy on 127.0.0.1 between the app and a service (PostgreSQL, Redis, the S3 server), for
 * the fault tests: `down()` does what a service restart or a network cut does to its clients
 * (every open connection is dropped and new ones are refused), `up()` brings it back on the same
 * port. Only the proxy's own connections are touched, so the real service, and every other suite
 * using it, never notice.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  /** Connections open now (both sides counted once). */
  open(): number;
  /** Drops every connection and refuses new ones (ECONNREFUSED) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export const startTcpProxy = async (target: { host: string; port: number }): Promise<TcpProxy> => {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const handle = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  let server = net.createServer(handle);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;

  const listen = async () => {
    // The port was ours a moment ago; another process taking it in between is possible but rare, so retry briefly.
    for (let attempt = 0; ; attempt++) {
      server = net.createServer(handle);
      try {
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
        listening = true;
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const stop = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const p of [...pairs]) {
      // A reset, as a host that went away gives, rather than a polite FIN.
      p.client.resetAndDestroy();
      p.upstream.destroy();
    }
    pairs.clear();
    await closed;
  };

  return {
    port,
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
    },
    open: () => pairs.size,
    down: stop,
    async up() {
      if (!listening) await listen();
    },
    close: stop,
  };
};
