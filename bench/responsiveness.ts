/**
 * Benchmark (not a test): is the HTTP server still responsive while the app processes a batch
 * of source photos? The p99 of a cheap request (GET /_health by default) while 20 products are
 * created with distinct source photos (each create runs intake + cutout + fingerprint in the
 * pipeline's worker pool), against the same request's p99 with the app idle, in one run.
 *
 *   npm run build:server && npm run bench:responsiveness
 *   npm run bench:responsiveness -- --sources 20 --rate 100 --connections 4 --idle 8 --path /_health --generate
 *
 * The app runs in this process (the test harness's boot, a fresh SQLite database, Replicate off,
 * PRODUCT_GALLERY_PIPELINE_THREADS as configured, default 1); the load comes from a child
 * process: `connections` keep-alive connections paced at `rate` requests/s in total, bounded by
 * a request count and a time limit. Idle: `idle` seconds with nothing else running. Busy: from
 * just before the 20 creates are sent (all at once, through the Content Manager API, as editors
 * would) until the last one is answered. With --generate, a second busy phase queues clean +
 * detail shots for the 20 products (local pipeline) and measures until they are all drafted.
 * Photos are uploaded before the idle phase; they come from ../shared/photos (positives), and
 * when there are fewer than `sources`, mirrored copies (distinct bytes) fill up the batch.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serveLoad, type LoadResult, type LoadSpec } from './lib/load';
import { arg, flag, fmt, quantile, table } from './lib/stats';

if (process.argv.includes('--load-worker')) {
  serveLoad();
} else {
  const ROOT = path.resolve(__dirname, '..');
  // the full set when it is there (../shared/photos or PRODUCT_GALLERY_PHOTOS), else the committed fixtures
  const { PHOTOS_DIR: PHOTOS } = require('../tests/support/photos') as typeof import('../tests/support/photos');
  const CATEGORIES = new Set(['ring', 'necklace', 'pendant', 'earrings', 'bracelet']);

  const opts = {
    sources: Number(arg('sources', '20')),
    rate: Number(arg('rate', '100')),
    connections: Number(arg('connections', '4')),
    idleMs: Number(arg('idle', '8')) * 1000,
    maxBusyMs: Number(arg('max-busy', '300')) * 1000,
    maxRequests: Number(arg('max-requests', '200000')),
    path: arg('path', '/_health')!,
    generate: flag('generate'),
  };

  const startLoad = (spec: LoadSpec) => {
    const child = fork(__filename, ['--load-worker'], { execArgv: ['-r', 'esbuild-register'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const kill = setTimeout(() => child.kill('SIGKILL'), spec.durationMs + 60_000);
    const started = new Promise<void>((resolve) => child.on('message', (m: any) => m.started && resolve()));
    const done = new Promise<LoadResult>((resolve, reject) => {
      child.on('message', (m: any) => {
        if (m.result) {
          clearTimeout(kill);
          resolve(m.result);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(kill);
        if (code) reject(new Error(`load generator exited with ${code}`));
      });
    });
    child.send({ start: spec });
    return { started, done, stop: () => child.connected && child.send({ stop: true }) };
  };

  /** 20 distinct source photos: the positives of the shared set, then mirrored copies. */
  const sourcePhotos = async (n: number) => {
    const sharp = require('sharp');
    const manifest = fs.readFileSync(path.join(PHOTOS, 'MANIFEST.tsv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split('\t'));
    const positives = manifest.filter((c) => c[9] === 'positive' && !c[0].includes('/')).map((c) => ({ file: path.join(PHOTOS, c[0]), category: CATEGORIES.has(c[1]) ? c[1] : 'necklace' }));
    const out = positives.slice(0, n);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-resp-'));
    for (let i = 0; out.length < n; i++) {
      const p = positives[i % positives.length];
      const file = path.join(dir, `mirrored-${i}-${path.basename(p.file).replace(/\.\w+$/, '.jpg')}`);
      await sharp(p.file).flop().jpeg({ quality: 90 }).toFile(file);
      out.push({ file, category: p.category });
    }
    return { photos: out, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  };

  const summarize = (r: LoadResult) => {
    const l = [...r.latencies].sort((a, b) => a - b);
    return { n: r.requests, errors: r.errors, rps: r.rps, seconds: r.seconds, p50: quantile(l, 0.5), p90: quantile(l, 0.9), p99: quantile(l, 0.99), max: l[l.length - 1] ?? NaN };
  };

  const main = async () => {
    const { startApp, adminSession } = require('../tests/support/strapi');
    const { uploadPhoto, createProduct } = require('../tests/support/products');
    const { photos, cleanup } = await sourcePhotos(opts.sources);
    const app = await startApp({ env: { REPLICATE_API_TOKEN: '', REDIS_URL: '', PRODUCT_GALLERY_WORKER: 'true', PRODUCT_GALLERY_TICK_MS: '200' } });
    const uploadsBefore = new Set<string>();
    let ok = false;
    try {
      await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(0, '127.0.0.1', () => resolve()));
      const port = (app.strapi.server.httpServer.address() as AddressInfo).port;
      const admin = await adminSession(app);
      const files = [];
      for (const p of photos) files.push({ ...(await uploadPhoto(app, admin, p.file)), category: p.category, name: path.basename(p.file) });
      console.log(`[bench:responsiveness] ${files.length} photos uploaded; threads: ${app.strapi.config.get('plugin::product-gallery.pipeline.workerThreads')}`);

      const spec = (durationMs: number): LoadSpec => ({ port, paths: [opts.path], connections: opts.connections, rate: opts.rate, durationMs, maxRequests: opts.maxRequests });
      // Warm-up, then idle.
      await startLoad(spec(2000)).done;
      const idle = summarize(await startLoad(spec(opts.idleMs)).done);
      console.log(`[bench:responsiveness] idle: ${idle.n} requests, p99 ${fmt(idle.p99)} ms`);

      // Busy: 20 creates at once, each analysing its own source photo in the worker pool.
      const busyLoad = startLoad(spec(opts.maxBusyMs));
      await busyLoad.started;
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      const created = await Promise.all(
        files.map((f: any, i: number) =>
          createProduct(app, admin, { title: `Responsiveness ${i + 1} ${f.name}`, sku: `RESP-${i + 1}`, category: f.category, metal: 'yellow-gold', sourcePhoto: f.id })
        )
      );
      const batchMs = Date.now() - t0;
      busyLoad.stop();
      const busy = summarize(await busyLoad.done);
      const statuses: Record<string, number> = {};
      for (const r of created) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const refused = created.filter((r: any) => r.status !== 201).map((r: any, i: number) => `${r.status} ${JSON.stringify(r.body?.error?.message ?? r.body).slice(0, 160)}`);
      console.log(`[bench:responsiveness] busy (20 creates): ${busy.n} requests in ${fmt(batchMs / 1000)} s, p99 ${fmt(busy.p99)} ms, creates ${JSON.stringify(statuses)}`);

      let gen: ReturnType<typeof summarize> | null = null;
      let genMs = 0;
      let genStatuses: Record<string, number> = {};
      if (opts.generate) {
        const ids = created.filter((r: any) => r.status === 201).map((r: any) => r.body.data.documentId);
        const genLoad = startLoad(spec(opts.maxBusyMs));
        await genLoad.started;
        await new Promise((r) => setTimeout(r, 200));
        const g0 = Date.now();
        for (const id of ids) await app.http.post(`/product-gallery/products/${id}/generate`).set(admin.auth).send({ roles: ['clean', 'detail'] });
        await app.strapi.plugin('product-gallery').service('dispatch').drain(opts.maxBusyMs);
        genMs = Date.now() - g0;
        genLoad.stop();
        gen = summarize(await genLoad.done);
        const rows = await app.strapi.db.query('plugin::product-gallery.image-asset').findMany({ select: ['status'] });
        for (const r of rows) genStatuses[r.status] = (genStatuses[r.status] ?? 0) + 1;
      }

      const argv = process.argv.slice(2).join(' ');
      console.log('');
      console.log(`\`npm run bench:responsiveness${argv ? ` -- ${argv}` : ''}\``);
      console.log(
        `(GET ${opts.path}, ${opts.connections} keep-alive connections paced at ${opts.rate} req/s from a child process; ` +
          `PRODUCT_GALLERY_PIPELINE_THREADS=${app.strapi.config.get('plugin::product-gallery.pipeline.workerThreads')}, SQLite; Node ${process.version}, ${os.cpus().length} CPUs shared, load avg ${os.loadavg()[0].toFixed(1)})`
      );
      console.log('');
      const row = (label: string, s: ReturnType<typeof summarize>, extra: string) => [label, s.n, s.errors, fmt(s.rps, 0), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(s.p99 / idle.p99), extra];
      const rows = [
        row('idle', idle, `${fmt(opts.idleMs / 1000, 0)} s`),
        row(`busy: ${files.length} products created with distinct source photos`, busy, `${fmt(batchMs / 1000, 1)} s, creates ${JSON.stringify(statuses)}`),
      ];
      if (gen) rows.push(row(`busy: clean+detail generated for those products`, gen, `${fmt(genMs / 1000, 1)} s, assets ${JSON.stringify(genStatuses)}`));
      console.log(table(['phase', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'p99 / idle p99', 'batch'], rows));
      if (refused.length) console.log(`\nrefused creates:\n${refused.join('\n')}`);
      ok = idle.errors === 0 && busy.errors === 0;
    } finally {
      // Files this run wrote under public/uploads, then the throwaway database.
      const rows = await app.strapi.db.query('plugin::upload.file').findMany({ select: ['url', 'formats'] }).catch(() => []);
      for (const f of rows) {
        for (const u of [f.url, ...Object.values((f.formats ?? {}) as Record<string, any>).map((v: any) => v?.url)]) {
          if (typeof u === 'string' && u.startsWith('/uploads/') && !uploadsBefore.has(u)) fs.rmSync(path.join(ROOT, 'public', u), { force: true });
        }
      }
      await app.stop();
      cleanup();
    }
    process.exit(ok ? 0 : 1);
  };

  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
