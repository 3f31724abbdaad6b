/** Small HTTP helpers the API suites share. */
import net from 'node:net';

/** supertest parser that keeps a binary body (a ZIP, an image) as one Buffer. */
export const binary = (res: any, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** A TCP port nothing listens on right now (for a webhook URL the app listens on later). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
