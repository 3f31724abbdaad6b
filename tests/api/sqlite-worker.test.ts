import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dropDatabase, isPostgres, ROOT, testAppEnv } from '../support/strapi';
import { spawnChild, type Child } from '../support/rpc';
import { photoPath } from '../support/photos';
import { until } from '../support/until';

const SHOTS_PER_PRODUCT = ['clean', 'detail'];
const PRODUCTS = 3;

/** `npm run worker` (scripts/worker.ts) on the given database; its output is collected. */
const startWorker = (dbEnv: Record<string, string>) => {
  const proc: ChildProcess = spawn(process.execPath, ['-r', 'esbuild-register', path.join(ROOT, 'scripts', 'worker.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...testAppEnv(),
      REPLICATE_API_TOKEN: '',
      REDIS_URL: '',
      PRODUCT_GALLERY_TICK_MS: '200',
      PRODUCT_GALLERY_PIPELINE_THREADS: '1',
      ...dbEnv,
    },
  });
  const worker = { proc, output: '', exit: null as number | null };
  proc.stdout!.on('data', (d) => (worker.output += d));
  proc.stderr!.on('data', (d) => (worker.output += d));
  proc.on('exit', (code) => (worker.exit = code ?? -1));
  return worker;
};

/**
 * The app and `npm run worker` on one database without Redis (the SQLite setup): one process
 * dispatches. A worker started beside an app that dispatches is refused with a message saying
 * what to set; beside an HTTP-only app it does all the generation work while editors keep
 * writing through the app, and neither side's writes fail for the other's (SQLite: busy_timeout
 * and BEGIN IMMEDIATE; a busy database is retried, never a failed shot).
 */
describe(`app and worker on one ${isPostgres() ? 'PostgreSQL' : 'SQLite'} database`, () => {
  let app: Child;
  let dbEnv: Record<string, string>;
  const workers: Array<ReturnType<typeof startWorker>> = [];
  let productIds: string[] = [];

  beforeAll(async () => {
    app = spawnChild('app', path.join(ROOT, 'tests', 'support', 'app-process.ts'));
    const booted = await app.call('boot', { env: { PRODUCT_GALLERY_TICK_MS: '200', PRODUCT_GALLERY_PIPELINE_THREADS: '1', REPLICATE_API_TOKEN: '', REDIS_URL: '' } }, 180_000);
    dbEnv = booted.dbEnv;
  }, 200_000);
  afterAll(async () => {
    for (const w of workers) if (w.exit === null) w.proc.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exit === null ? new Promise((r) => w.proc.once('exit', r)) : undefined)));
    await app?.close();
    if (dbEnv) await dropDatabase(dbEnv).catch(() => undefined);
  }, 60_000);

  it('refuses a second dispatcher: the worker stops, saying the app already dispatches', async () => {
    const worker = startWorker(dbEnv);
    workers.push(worker);
    await until('the worker to stop or start', () => worker.exit !== null || /worker started/.test(worker.output), 180_000);
    expect(worker.output).not.toMatch(/worker started/);
    expect(worker.exit).toBe(1);
    expect(worker.output).toMatch(/worker not started: another process .* already dispatches/);
    expect(worker.output).toMatch(/PRODUCT_GALLERY_WORKER=false/);
  }, 200_000);

  it('beside an HTTP-only app, the worker makes every shot while editors write: no 5xx, no failed shot', async () => {
    // The app stops dispatching (as PRODUCT_GALLERY_WORKER=false would have it) and the worker takes over.
    await app.call('pause');
    const worker = startWorker(dbEnv);
    workers.push(worker);
    await until('the worker to start', () => worker.exit !== null || /worker started/.test(worker.output), 180_000);
    expect(worker.exit).toBeNull();

    const seeded = await app.call('seed', { count: PRODUCTS, photo: photoPath('07_'), category: 'earrings', dimensions: { earringDropMm: 12 } }, 300_000);
    productIds = seeded.ids;
    const [gen, edits] = await Promise.all([
      app.call('generate', { ids: seeded.ids, roles: SHOTS_PER_PRODUCT }),
      app.call('edits', { ids: seeded.ids, rounds: 8 }),
    ]);
    expect(gen.assets).toBe(PRODUCTS * SHOTS_PER_PRODUCT.length);
    // Editors keep writing while the worker makes the shots.
    const during = await app.call('edits', { ids: seeded.ids, rounds: 8 });
    const watched = await app.call('watch', { expected: gen.assets, timeoutMs: 240_000 }, 300_000);
    expect([...edits.refused, ...during.refused]).toEqual([]);
    expect(watched.assets.map((a: any) => [a.status, a.error])).toEqual(Array(gen.assets).fill(['draft', null]));
    // The worker did the work: the app claimed nothing itself.
    const stats = await app.call('stats');
    expect(stats.transitions.filter((t: any) => t.to === 'generating')).toEqual([]);
  }, 600_000);
});
