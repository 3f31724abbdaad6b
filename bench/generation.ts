/**
 * Benchmark (not a test): 100 AI shots through the real app's durable dispatcher against the
 * fake Replicate server, with 500 ms prediction latency and a limit of 20 creations per second
 * (the fake answers 429 beyond it; the app is configured with the same limit,
 * REPLICATE_CREATIONS_PER_MINUTE=1200).
 *
 *   npm run build:server && npm run bench:generation
 *   npm run bench:generation -- --shots 100 --latency 500 --rate 20 --concurrency 20 --poll 100 --threads 1
 *   npm run bench:generation -- --only multi                          (single, multi)
 *   npm run bench:generation -- --dump /tmp/gen                        (raw timeline per scenario)
 *
 * Scenarios (each against a fresh fake, each app instance in its own child process, one Strapi
 * per process; the fake runs in this process):
 *   single: one instance on SQLite, no other service (in-process token bucket).
 *   multi : two instances on one PostgreSQL schema and one REDIS_URL (BullMQ; unique
 *           PRODUCT_GALLERY_QUEUE_PREFIX per run, deleted afterwards), both workers.
 * Seeding: products created through the Content Manager API on one uploaded photo (each create
 * computes the product's reference); then POST /product-gallery/products/:id/generate with
 * roles model+lifestyle (both `replicate` once a token is set) = 2 AI shots per product.
 *
 * Two milestones per shot, both from the instances' own events:
 *   secured: the prediction is done and its output downloaded, intaken and stored in the Media
 *            Library (the generation stage). This is what latency and rate limit bound: the last
 *            creation cannot happen before (N-1)/rate s after the first, and finishes `latency`
 *            later. The target (1.2x that bound) is on the time to the last secured output.
 *   draft  : QC against the source and renditions done (the check stage, real CPU work on the
 *            pipeline threads, running alongside). The bound ignores it; the bench measures that
 *            work alone (per image, sequentially, after the run) and reports an "image-aware
 *            bound": the ideal completion times fed through a FIFO queue with as many servers as
 *            pipeline threads, each taking the measured per-image time.
 */
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../tests/support/fake-replicate';
import { freshDatabase, dropDatabase } from '../tests/support/strapi';
import { spawnChild, type Child } from '../tests/support/rpc';
import { arg, fmt, median, quantile, table } from './lib/stats';
import { hasFullSet, photoPath } from '../tests/support/photos';

const ROOT = path.resolve(__dirname, '..');
// photo 14 from the full set when it is there; on a fresh clone a fixture necklace-like pendant
const PHOTO = hasFullSet ? photoPath('14_') : photoPath('04_');
const INSTANCE = path.join(ROOT, 'tests', 'support', 'app-process.ts');
const ROLES = ['model', 'lifestyle'];

const opts = {
  shots: Number(arg('shots', '100')),
  latencyMs: Number(arg('latency', '500')),
  rate: Number(arg('rate', '20')),
  concurrency: Number(arg('concurrency', '20')),
  pollMs: Number(arg('poll', '100')),
  threads: Number(arg('threads', '1')),
  probeReps: Number(arg('probe', '5')),
  timeoutMs: Number(arg('timeout', '600')) * 1000,
  only: arg('only', ''),
  /** Raw events and predictions per scenario to `<dump>.<scenario>.json`, for a closer look. */
  dump: arg('dump', ''),
  redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  pgUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
};

interface Result {
  name: string;
  label: string;
  instances: number;
  db: string;
  seedMs: number;
  shots: number;
  assets: number;
  statuses: Record<string, number>;
  creations: number;
  distinctPredictions: number;
  rateLimited: number;
  maxPerSecond: number;
  creationSpanS: number;
  creationGaps: string;
  createToCompleteS: number;
  preparedToCreated: string;
  longGaps: string;
  startToFirstCreateS: number;
  startToAllSecuredS: number;
  startToAllDraftS: number;
  boundS: number;
  imageAwareBoundS: number;
  perImageMs: number;
  perImageP90Ms: number;
  downloadMs: number;
  outputSize: string;
  postProcessP50S: number;
  postProcessP90S: number;
  split: string;
  queriesPerShot: number;
  readsPerShot: number;
  failures: string[];
}

const log = (m: string) => console.log(`[bench:generation] ${m}`);

/** Max events in any sliding 1 s window. */
const maxInWindow = (times: number[], windowMs = 1000) => {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

/** Finish time of the last job: arrivals through a FIFO queue with `servers` servers of `serviceMs` each. */
const queueFinish = (arrivals: number[], servers: number, serviceMs: number) => {
  const free = new Array(servers).fill(-Infinity);
  let last = 0;
  for (const a of [...arrivals].sort((x, y) => x - y)) {
    free.sort((x, y) => x - y);
    const start = Math.max(a, free[0]);
    free[0] = start + serviceMs;
    last = Math.max(last, free[0]);
  }
  return last;
};

const flushRedisPrefix = async (prefix: string) => {
  const IORedis = require('ioredis');
  const redis = new IORedis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
};

const run = async (name: string, instances: number, db: 'sqlite' | 'postgres'): Promise<Result> => {
  const products = Math.ceil(opts.shots / ROLES.length);
  const fake: FakeReplicate = await startFakeReplicate({
    log: true,
    scenario: { latencyMs: opts.latencyMs, startDelayMs: 0, creationRateLimit: opts.rate },
  });
  const prefix = `pg-bench-${crypto.randomBytes(4).toString('hex')}`;
  const prevClient = process.env.DATABASE_CLIENT;
  process.env.DATABASE_CLIENT = db;
  if (db === 'postgres') process.env.DATABASE_URL = opts.pgUrl;
  const dbEnv = await freshDatabase();
  if (prevClient === undefined) delete process.env.DATABASE_CLIENT;
  else process.env.DATABASE_CLIENT = prevClient;

  const env: Record<string, string> = {
    ...appEnvFor(fake),
    REPLICATE_POLL_INTERVAL_MS: String(opts.pollMs),
    REPLICATE_CREATIONS_PER_MINUTE: String(opts.rate * 60),
    PRODUCT_GALLERY_CONCURRENCY: String(opts.concurrency),
    PRODUCT_GALLERY_TICK_MS: '100',
    PRODUCT_GALLERY_PIPELINE_THREADS: String(opts.threads),
    PRODUCT_GALLERY_WORKER: 'true',
    ...(instances > 1 ? { REDIS_URL: opts.redisUrl, PRODUCT_GALLERY_QUEUE_PREFIX: prefix } : { REDIS_URL: '' }),
  };
  const children: Child[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      const child = spawnChild(`instance-${String.fromCharCode(65 + i)}`, INSTANCE, [], { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4' });
      children.push(child);
      // One after the other: the first boot creates the schema.
      const booted = await child.call('boot', { dbEnv, env }, 180_000);
      log(`${name}: ${child.name} booted in ${booted.bootMs} ms (pid ${booted.pid})`);
    }
    const [a] = children;
    const seeded = await a.call('seed', { count: products, photo: PHOTO, category: 'necklace', dimensions: { chainLengthMm: 450 } }, 600_000);
    log(`${name}: seeded ${products} products in ${seeded.seedMs} ms; plan: ${JSON.stringify(seeded.shots)}`);
    for (const r of ROLES) {
      const shot = seeded.shots.find((s: any) => s.role === r);
      if (shot?.generator !== 'replicate') throw new Error(`role ${r} does not plan on Replicate: ${JSON.stringify(shot)}`);
    }
    if (fake.creationCount() !== 0) throw new Error('predictions created before the run');

    // The shots are queued through the admin API (product by product, 4 requests in flight) with
    // the dispatchers stopped; the clock starts when they start, with all 100 shots due.
    await Promise.all(children.map((c) => c.call('pause')));
    const gen = await a.call('generate', { ids: seeded.ids, roles: ROLES });
    log(`${name}: ${gen.assets} shots queued in ${gen.queuedAt - gen.startedAt} ms (not timed)`);
    gen.startedAt = Math.min(...(await Promise.all(children.map((c) => c.call('resume')))).map((r: any) => r.at));
    const watched = await a.call('watch', { expected: gen.assets, timeoutMs: opts.timeoutMs }, opts.timeoutMs + 30_000);
    const stats = await Promise.all(children.map((c) => c.call('stats')));
    if (opts.dump) {
      const raw = { startedAt: gen.startedAt, instances: stats.map((s: any, i: number) => ({ name: children[i].name, transitions: s.transitions, queries: s.queries })), predictions: [...fake.predictions.values()].map((p) => ({ id: p.id, created_at: p.created_at, completed_at: p.completed_at })), assets: watched.assets };
      require('node:fs').writeFileSync(`${opts.dump}.${name}.json`, JSON.stringify(raw));
    }

    const preds = [...fake.predictions.values()];
    const created = preds.map((p) => Date.parse(p.created_at));
    const completed = preds.filter((p) => p.completed_at).map((p) => Date.parse(p.completed_at!));
    const firstCreate = Math.min(...created);
    const lastCreate = Math.max(...created);
    const lastComplete = Math.max(...completed);
    const drafts = stats.flatMap((s: any) => s.transitions.filter((t: any) => t.to === 'draft'));
    const allDraft = drafts.length ? Math.max(...drafts.map((t: any) => t.at)) : NaN;
    const secured = stats.flatMap((s: any) => s.transitions.filter((t: any) => t.to === 'secured'));
    const allSecured = secured.length ? Math.max(...secured.map((t: any) => t.at)) : NaN;
    if (new Set(secured.map((t: any) => t.asset)).size !== opts.shots) log(`${name}: ${secured.length} secured events for ${new Set(secured.map((t: any) => t.asset)).size} assets`);
    // Was the creation path starved (nothing prepared) or slow to send what was prepared?
    const preparedAt = new Map(stats.flatMap((s: any) => s.transitions.filter((t: any) => t.to === 'prepared').map((t: any) => [t.asset, t.at])));
    const createdByAsset = watched.assets
      .filter((x: any) => x.predictionId && fake.predictions.has(x.predictionId) && preparedAt.has(x.documentId))
      .map((x: any) => ({ prepared: preparedAt.get(x.documentId) as number, created: Date.parse(fake.predictions.get(x.predictionId)!.created_at) }));
    const waits = createdByAsset.map((c: any) => c.created - c.prepared).sort((x: number, y: number) => x - y);
    const sortedCreated = [...created].sort((x, y) => x - y);
    const interval = 1000 / opts.rate;
    const longGaps = sortedCreated.slice(1).map((v, i) => [sortedCreated[i], v]).filter(([a0, b0]) => b0 - a0 > 2 * interval);
    const starved = longGaps.filter(([a0]) => !createdByAsset.some((c: any) => c.prepared <= a0 && c.created > a0)).length;
    const statuses: Record<string, number> = {};
    for (const x of watched.assets) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
    const rateLimited = fake.state.responses.filter((r) => r.method === 'POST' && /\/predictions$/.test(r.path.split('?')[0]) && r.status === 429).length;

    // Post-processing per asset: fake completion -> draft in the app (download, intake, QC, renditions, store, + poll delay).
    const completedById = new Map(preds.filter((p) => p.completed_at).map((p) => [p.id, Date.parse(p.completed_at!)]));
    const draftAt = new Map(drafts.map((t: any) => [t.asset, t.at]));
    const post = watched.assets
      .filter((x: any) => x.predictionId && completedById.has(x.predictionId) && draftAt.has(x.documentId))
      .map((x: any) => (draftAt.get(x.documentId)! - completedById.get(x.predictionId)!) / 1000)
      .sort((p: number, q: number) => p - q);

    // Per-image work alone, after the run, on instance A.
    const sample = preds.find((p) => typeof p.output === 'string');
    const probe = sample ? await a.call('probe', { url: sample.output, productId: seeded.ids[0], reps: opts.probeReps }) : null;
    const perImageMs = probe ? median(probe.times) : NaN;
    const servers = opts.threads * instances;
    const boundS = (opts.shots - 1) / opts.rate + opts.latencyMs / 1000;
    const idealCompletions = Array.from({ length: opts.shots }, (_, i) => (i / opts.rate) * 1000 + opts.latencyMs);
    const imageAwareBoundS = queueFinish(idealCompletions, servers, perImageMs) / 1000;

    const split = stats
      .map((s: any, i: number) => {
        const claims = s.transitions.filter((t: any) => t.to === 'generating').length;
        const d = s.transitions.filter((t: any) => t.to === 'draft').length;
        return `${children[i].name}: ${claims} claimed, ${d} drafted`;
      })
      .join('; ');
    const failures = watched.assets.filter((x: any) => x.status !== 'draft').map((x: any) => `${x.documentId} ${x.status}: ${x.error}`);
    const cleaned = await a.call('cleanupUploads');
    log(`${name}: removed ${cleaned.removed} files from public/uploads`);
    return {
      name,
      label: instances === 1 ? 'one instance' : 'two instances',
      instances,
      db: instances > 1 ? 'PostgreSQL + Redis (BullMQ)' : 'SQLite',
      seedMs: seeded.seedMs,
      shots: opts.shots,
      assets: watched.assets.length,
      statuses,
      creations: fake.creationCount(),
      distinctPredictions: new Set(watched.assets.map((x: any) => x.predictionId).filter(Boolean)).size,
      rateLimited,
      maxPerSecond: maxInWindow(created),
      creationSpanS: (lastCreate - firstCreate) / 1000,
      creationGaps: (() => {
        const t = [...created].sort((x, y) => x - y);
        const gaps = t.slice(1).map((v, i) => v - t[i]).sort((x, y) => x - y);
        return `${fmt(quantile(gaps, 0.5), 0)} / ${fmt(quantile(gaps, 0.9), 0)} / ${fmt(gaps.at(-1) ?? NaN, 0)} ms`;
      })(),
      createToCompleteS: (lastComplete - firstCreate) / 1000,
      preparedToCreated: `${fmt(quantile(waits, 0.5), 0)} / ${fmt(quantile(waits, 0.9), 0)} / ${fmt(waits.at(-1) ?? NaN, 0)} ms`,
      longGaps: `${longGaps.length} (${starved} with nothing prepared)`,
      startToFirstCreateS: (firstCreate - gen.startedAt) / 1000,
      startToAllSecuredS: (allSecured - gen.startedAt) / 1000,
      startToAllDraftS: (allDraft - gen.startedAt) / 1000,
      boundS,
      imageAwareBoundS,
      perImageMs,
      perImageP90Ms: probe ? quantile([...probe.times].sort((x, y) => x - y), 0.9) : NaN,
      downloadMs: probe ? median(probe.downloads) : NaN,
      outputSize: probe ? `${probe.size.width}x${probe.size.height} ${(probe.size.bytes / 1024).toFixed(0)} KB` : 'n/a',
      postProcessP50S: quantile(post, 0.5),
      postProcessP90S: quantile(post, 0.9),
      split,
      readsPerShot: fake.state.responses.filter((x) => x.operation === 'predictions.get').length / opts.shots,
      queriesPerShot: stats.reduce((s: number, x: any) => s + x.queries.total, 0) / opts.shots,
      failures,
    };
  } finally {
    for (const c of children) await c.close().catch(() => undefined);
    await fake.close().catch(() => undefined);
    await dropDatabase(dbEnv).catch((e) => log(`could not drop the database: ${e.message}`));
    if (instances > 1) log(`deleted ${await flushRedisPrefix(prefix).catch(() => -1)} Redis keys under ${prefix}`);
  }
};

const main = async () => {
  const started = Date.now();
  const results: Result[] = [];
  const scenarios: Array<[string, number, 'sqlite' | 'postgres']> = [
    ['single', 1, 'sqlite'],
    ['multi', 2, 'postgres'],
  ];
  const only = opts.only ? opts.only.split(',') : null;
  for (const [name, instances, db] of scenarios) {
    if (only && !only.includes(name)) continue;
    const r = await run(name, instances, db);
    log(`${name}: ${JSON.stringify({ ...r, failures: r.failures.length })}`);
    results.push(r);
  }

  const argv = process.argv.slice(2).join(' ');
  console.log('');
  console.log(`\`npm run bench:generation${argv ? ` -- ${argv}` : ''}\``);
  console.log(
    `(${opts.shots} AI shots = ${Math.ceil(opts.shots / ROLES.length)} products x ${ROLES.join('+')}; fake latency ${opts.latencyMs} ms, ` +
      `fake limit ${opts.rate} creations/s (429 beyond) and REPLICATE_CREATIONS_PER_MINUTE=${opts.rate * 60}; PRODUCT_GALLERY_CONCURRENCY=${opts.concurrency} per instance, ` +
      `Prefer: wait on creation, poll ${opts.pollMs} ms after it, PRODUCT_GALLERY_PIPELINE_THREADS=${opts.threads} per instance; Node ${process.version}, ${os.cpus().length} CPUs shared, load avg ${os.loadavg()[0].toFixed(1)})`
  );
  console.log('');
  const col = (f: (r: Result) => string) => results.map(f);
  const rows: Array<[string, ...string[]]> = [
    ['instances / database', ...col((r) => `${r.instances} / ${r.db}`)],
    ['assets drafted', ...col((r) => `${r.statuses.draft ?? 0} / ${r.shots}${r.failures.length ? ` (${JSON.stringify(r.statuses)})` : ''}`)],
    ['predictions created (fake creationCount)', ...col((r) => `${r.creations}`)],
    ['duplicate predictions', ...col((r) => `${r.creations - r.distinctPredictions}`)],
    ['creation 429s from the fake', ...col((r) => `${r.rateLimited}`)],
    ['max creations in any 1 s window', ...col((r) => `${r.maxPerSecond}`)],
    ['bound: (N-1)/rate + latency', ...col((r) => `${fmt(r.boundS)} s`)],
    ['first → last creation', ...col((r) => `${fmt(r.creationSpanS)} s`)],
    ['gap between consecutive creations p50 / p90 / max', ...col((r) => r.creationGaps)],
    [`gaps over 2x the interval (${fmt(1000 / opts.rate, 0)} ms)`, ...col((r) => r.longGaps)],
    ['prepared → created per shot p50 / p90 / max', ...col((r) => r.preparedToCreated)],
    ['first creation → last prediction complete', ...col((r) => `${fmt(r.createToCompleteS)} s (${fmt(r.createToCompleteS / r.boundS)}x bound)`)],
    ['dispatchers started (100 shots due) → first creation', ...col((r) => `${fmt(r.startToFirstCreateS)} s`)],
    ['**total: dispatchers started → last output secured (downloaded, intaken, stored)**', ...col((r) => `**${fmt(r.startToAllSecuredS)} s (${fmt(r.startToAllSecuredS / r.boundS)}x bound)**`)],
    ['dispatchers started → all checked (QC + renditions) and draft', ...col((r) => `${fmt(r.startToAllDraftS)} s (${fmt(r.startToAllDraftS / r.boundS)}x bound)`)],
    ['per-image work alone (download / intake+QC+renditions+store), median (p90)', ...col((r) => `${fmt(r.downloadMs, 0)} ms / ${fmt(r.perImageMs, 0)} ms (${fmt(r.perImageP90Ms, 0)}), output ${r.outputSize}`)],
    ['prediction complete → draft per asset, p50 / p90', ...col((r) => `${fmt(r.postProcessP50S)} s / ${fmt(r.postProcessP90S)} s`)],
    ['image-aware bound (ideal completions through pipeline threads)', ...col((r) => `${fmt(r.imageAwareBoundS)} s; all draft at ${fmt(r.startToAllDraftS / r.imageAwareBoundS)}x it`)],
    ['work split (this process\'s own transitions)', ...col((r) => r.split)],
    ['prediction reads (GET /predictions/{id}) per shot', ...col((r) => fmt(r.readsPerShot, 2))],
    ['database statements per shot, all stages (BEGIN/COMMIT included)', ...col((r) => fmt(r.queriesPerShot, 1))],
    ['seeding (not timed in total)', ...col((r) => `${fmt(r.seedMs / 1000, 1)} s for ${Math.ceil(r.shots / ROLES.length)} products`)],
  ];
  console.log(table(['', ...results.map((r) => r.label)], rows));
  for (const r of results) if (r.failures.length) console.log(`\n${r.name} failures:\n${r.failures.slice(0, 10).join('\n')}`);
  console.log(`\n(bench wall time ${fmt((Date.now() - started) / 1000, 0)} s)`);
  for (const r of results) console.log(`target (last output secured within 1.2x the bound), ${r.label}: ${r.startToAllSecuredS / r.boundS <= 1.2 ? 'met' : 'NOT met'}`);
  const ok = results.every((r) => r.creations === r.shots && r.creations === r.distinctPredictions && (r.statuses.draft ?? 0) === r.shots);
  process.exit(ok ? 0 : 1);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
