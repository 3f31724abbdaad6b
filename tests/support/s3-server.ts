/**
 * An S3-compatible object store on 127.0.0.1 for the tests that run the app on
 * `@strapi/provider-upload-aws-s3` (s3rver, from npm: path-style requests, SigV4, objects on disk
 * in a throwaway folder), with a fault of its own: `failWrites()` answers every write the way S3
 * answers when it cannot take one (500 InternalError, S3's XML body), reads still served.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/** s3rver's one account: it refuses any other key. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const S3_BUCKET = 'product-gallery-test';
export const S3_REGION = 'us-east-1';

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  bucket: string;
  /** Writes (PUT, POST, DELETE) refused until `failWrites(false)`; how many were refused so far. */
  failWrites(on: boolean): void;
  refusedWrites(): number;
  /** Objects written so far (successful PUTs), by key. */
  writes(): string[];
  /** The app's environment for this store (the upload entry of config/plugins.ts). */
  appEnv(): Record<string, string>;
  close(): Promise<void>;
}

const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE']);

export const startS3Server = async (): Promise<S3Server> => {
  const S3rver = require('s3rver');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: S3_BUCKET }] });
  let failing = false;
  let refused = 0;
  const written: string[] = [];
  // Koa composes its middleware when it starts listening: this one runs before s3rver's routes.
  server.middleware.unshift(async (ctx: any, next: () => Promise<void>) => {
    const write = WRITE_METHODS.has(ctx.method) && ctx.path.startsWith(`/${S3_BUCKET}/`);
    if (write && failing) {
      refused++;
      ctx.status = 500;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><Resource>${ctx.path}</Resource><RequestId>fault</RequestId></Error>`;
      return;
    }
    await next();
    if (write && ctx.method === 'PUT' && ctx.status === 200) written.push(decodeURIComponent(ctx.path.slice(S3_BUCKET.length + 2)));
  });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket: S3_BUCKET,
    failWrites(on) {
      failing = on;
    },
    refusedWrites: () => refused,
    writes: () => [...written],
    appEnv: () => ({
      UPLOAD_PROVIDER: 'aws-s3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET,
      S3_REGION,
      S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    }),
    async close() {
      await server.close().catch(() => undefined);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
};
