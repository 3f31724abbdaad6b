/**
 * Benchmark (not a test): the storefront gallery endpoint against GET /_health and against the
 * equivalent stock Strapi query, in one run, on SQLite.
 *
 *   npm run seed:bench -- --products 2000      # real published galleries (once)
 *   npm run bench:gallery                      # = node -r esbuild-register bench/gallery.ts
 *   npm run bench:gallery -- --products 2000 --connections 16 --duration 10 --rounds 2
 *
 * The app runs in this process (a real `strapi.listen()`, NODE_ENV=production, log level warn);
 * the load comes from a child process: 16 keep-alive connections, each sending its next request
 * when the previous answer arrives, bounded by a request count and a time limit. Each target
 * gets a warm-up, then `rounds` measured runs interleaved with the others; the best round per
 * target is reported (the machine is shared, so the best is the least disturbed).
 *
 * Targets
 * - health : GET /_health (no database, no auth): the ceiling of this server.
 * - gallery: GET /api/product-gallery/galleries/:slug (public role, random slug each request).
 * - stock  : a bench-only content-API route registered here, on the same public permission:
 *            strapi.documents(product).findMany({filters: {slug}, populate: {assets: {filters:
 *            {status: 'published'}, populate: {file: true}}, brief: {populate: {slotPlan: true}}}})
 *            + strapi.contentAPI.sanitize.output: what a plugin would do with the stock APIs.
 * Then a correctness check: publish a new image and archive one, and read the gallery right after.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

interface LoadSpec {
  port: number;
  paths: string[];
  connections: number;
  durationMs: number;
  maxRequests: number;
}
interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** CPU time of the server process (every thread) per answered request: less swayed by other load on a shared machine than req/s. */
  cpuMsPerRequest?: number;
}

/** The load generator (child process). */
const runLoad = async (spec: LoadSpec): Promise<LoadResult> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + spec.durationMs;
  const one = (p: string) =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.get({ host: '127.0.0.1', port: spec.port, path: p, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          if ((res.statusCode ?? 0) >= 400) errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const loop = async () => {
    while (Date.now() < deadline && sent < spec.maxRequests) {
      const p = spec.paths[sent++ % spec.paths.length];
      await one(p);
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, loop));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, statuses, seconds, rps: latencies.length / seconds, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: latencies.at(-1) ?? NaN };
};

if (process.argv.includes('--load-worker')) {
  process.once('message', async (spec: LoadSpec) => {
    const result = await runLoad(spec);
    process.send!(result, () => process.exit(0));
  });
} else {
  // The parent: loaded lazily so the child never boots Strapi.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { arg, benchEnv, loadStrapi, seed, DEFAULT_DB, ROOT } = require('../scripts/seed-bench');

  const load = (spec: LoadSpec) =>
    new Promise<LoadResult>((resolve, reject) => {
      const child = fork(__filename, ['--load-worker'], { execArgv: ['-r', 'esbuild-register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), spec.durationMs + 60_000);
      child.once('message', (r: LoadResult) => {
        clearTimeout(timer);
        resolve(r);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code) reject(new Error(`load generator exited with ${code}`));
      });
      child.send(spec);
    });

  const getJson = (port: number, p: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p }, (res) => {
          let raw = '';
          res.on('data', (c) => (raw += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : null }));
        })
        .on('error', reject);
    });

  const main = async () => {
    const products = Number(arg('products', '2000'));
    const connections = Number(arg('connections', '16'));
    const durationMs = Number(arg('duration', '10')) * 1000;
    const rounds = Number(arg('rounds', '2'));
    const maxRequests = Number(arg('max-requests', '400000'));
    const db = arg('db', DEFAULT_DB);
    fs.mkdirSync(path.dirname(path.join(ROOT, db)), { recursive: true });
    benchEnv(db);
    process.env.HOST = '127.0.0.1';
    process.env.PORT = arg('port', '0');
    const strapi = await loadStrapi();
    const slugs: string[] = await seed(strapi, products, (m: string) => console.log(m));

    // The bench-only stock route, on the same public permission as the gallery route.
    const UID = { product: 'plugin::product-gallery.product', asset: 'plugin::product-gallery.image-asset' };
    strapi.server.routes({
      type: 'content-api',
      routes: [
        {
          method: 'GET',
          path: '/product-gallery/bench-stock/:slug',
          handler: async (ctx: any) => {
            const [doc] = await strapi.documents(UID.product).findMany({
              filters: { slug: ctx.params.slug },
              populate: { assets: { filters: { status: 'published' }, populate: { file: true } }, brief: { populate: { slotPlan: true } } },
            });
            if (!doc) return ctx.notFound();
            ctx.body = { data: await strapi.contentAPI.sanitize.output(doc, strapi.contentType(UID.product)) };
          },
          config: { auth: { scope: ['plugin::product-gallery.gallery.findOne'] } },
        },
      ],
    });
    await strapi.listen();
    const port = (strapi.server.httpServer.address() as AddressInfo).port;

    // Sanity: both endpoints answer the same gallery.
    const probe = slugs[0];
    const ours = await getJson(port, `/api/product-gallery/galleries/${probe}`);
    const stock = await getJson(port, `/api/product-gallery/bench-stock/${probe}`);
    if (ours.status !== 200 || ours.body.data.slots.length !== 5) throw new Error(`gallery probe failed: ${ours.status} ${JSON.stringify(ours.body).slice(0, 300)}`);
    if (stock.status !== 200 || stock.body.data.assets.length !== 4) throw new Error(`stock probe failed: ${stock.status} ${JSON.stringify(stock.body).slice(0, 300)}`);

    const shuffled = [...slugs].sort(() => Math.random() - 0.5);
    const targets: Record<string, string[]> = {
      health: ['/_health'],
      gallery: shuffled.map((s) => `/api/product-gallery/galleries/${s}`),
      stock: shuffled.map((s) => `/api/product-gallery/bench-stock/${s}`),
    };
    // --only gallery (for profiling one target), --only health,gallery (a quicker before/after).
    const only = arg('only', '');
    if (only) for (const name of Object.keys(targets)) if (!only.split(',').includes(name)) delete targets[name];
    const best: Record<string, LoadResult> = {};
    console.log(`warm-up (${connections} connections, 2 s per target)...`);
    for (const paths of Object.values(targets)) await load({ port, paths, connections, durationMs: 2000, maxRequests });
    for (let round = 1; round <= rounds; round++) {
      for (const [name, paths] of Object.entries(targets)) {
        const cpu = process.cpuUsage();
        const r = await load({ port, paths, connections, durationMs, maxRequests });
        const used = process.cpuUsage(cpu);
        r.cpuMsPerRequest = (used.user + used.system) / 1000 / Math.max(1, r.requests);
        console.log(`round ${round} ${name.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  server CPU ${r.cpuMsPerRequest.toFixed(3)} ms/req  errors ${r.errors}  ${JSON.stringify(r.statuses)}`);
        if (!best[name] || r.rps > best[name].rps) best[name] = r;
      }
    }

    // Correctness right after a publish and an archive (through the workflow service, as the admin API does).
    const workflow = strapi.plugin('product-gallery').service('workflow');
    const target = slugs[Math.floor(slugs.length / 2)];
    const product = await strapi.db.query(UID.product).findOne({ where: { slug: target } });
    // Any published image of the product lends its Media Library file (earlier runs may have archived its detail shot).
    const current = await strapi.db.query(UID.asset).findOne({ where: { product: product.id, status: 'published' }, populate: { file: true } });
    const actor = { kind: 'system', name: 'bench' };
    const fresh = await workflow.create(
      { productId: product.id, role: 'detail', status: 'approved', data: { file: current.file.id, width: current.width, height: current.height, alt: 'freshly published detail', qc: [], qcStatus: 'pass' } },
      actor
    );
    const t0 = Date.now();
    await workflow.transition({ documentId: fresh.documentId, to: 'published', version: fresh.version, actor });
    const afterPublish = await getJson(port, `/api/product-gallery/galleries/${target}`);
    const publishOk = afterPublish.body.data.slots.find((s: any) => s.slot === 'gallery-3')?.image.alt === 'freshly published detail';
    const published = await workflow.load(fresh.documentId);
    await workflow.transition({ documentId: fresh.documentId, to: 'archived', version: published.version, actor });
    const afterArchive = await getJson(port, `/api/product-gallery/galleries/${target}`);
    const archiveOk = !afterArchive.body.data.slots.some((s: any) => s.slot === 'gallery-3');
    const visibleMs = Date.now() - t0;

    if (!best.health || !best.gallery) {
      await strapi.destroy();
      process.exit(0);
    }
    const h = best.health;
    const row = (name: string, label: string) => {
      const r = best[name];
      if (!r) return `| ${label} | not run | | | | | |`;
      return `| ${label} | ${r.rps.toFixed(0)} | ${(r.rps / h.rps).toFixed(2)}x | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMsPerRequest!.toFixed(3)} | ${r.errors} |`;
    };
    const g = best.gallery;
    console.log('');
    console.log(`\`npm run bench:gallery -- --products ${products} --connections ${connections} --duration ${durationMs / 1000} --rounds ${rounds}\``);
    console.log(`(SQLite, ${slugs.length} published galleries x 5 slots, ${connections} keep-alive connections, best of ${rounds} rounds of ${durationMs / 1000} s, Node ${process.version}, ${require('node:os').cpus().length} CPUs shared)`);
    console.log('');
    console.log('| endpoint | req/s | vs /_health | p50 ms | p99 ms | server CPU ms/req | errors |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    console.log(row('health', 'GET /_health'));
    console.log(row('gallery', 'GET /api/product-gallery/galleries/:slug'));
    console.log(row('stock', 'stock: documents().findMany + populate + sanitize'));
    console.log('');
    if (best.stock) console.log(`gallery vs stock: ${(g.rps / best.stock.rps).toFixed(1)}x the throughput`);
    console.log(`targets: >= 0.85x /_health: ${g.rps / h.rps >= 0.85 ? 'met' : 'NOT met'} (${(g.rps / h.rps).toFixed(2)}x); p99 <= 10 ms: ${g.p99 <= 10 ? 'met' : 'NOT met'} (${g.p99.toFixed(1)} ms)`);
    console.log(`correct right after a publish: ${publishOk ? 'yes' : 'NO'}; after an archive: ${archiveOk ? 'yes' : 'NO'} (both read within ${visibleMs} ms)`);

    await strapi.destroy();
    process.exit(publishOk && archiveOk ? 0 : 1);
  };

  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
