import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { dropDatabase, ROOT } from '../support/strapi';
import { spawnChild, type Child } from '../support/rpc';
import { photoPath } from '../support/photos';

const EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';
const SHOTS = 20;

/**
 * A restart never creates a prediction twice. Twenty creations are held open by Replicate
 * (`Prefer: wait`) when the process is killed (SIGKILL: no shutdown code runs); a new process on
 * the same database resumes every shot from what was recorded before each call (intent, tag and
 * the exact input) and finds each prediction instead of creating it again.
 */
describe('restart during held creations', () => {
  let fake: FakeReplicate;
  let dbEnv: Record<string, string> | undefined;
  const children: Child[] = [];

  beforeAll(async () => {
    // Slow enough that every creation is still held when the process dies.
    fake = await startFakeReplicate({ log: true, scenario: { startDelayMs: 0, latencyMs: 12_000 } });
  });
  afterAll(async () => {
    for (const c of children) await c.close().catch(() => undefined);
    await fake?.close();
    if (dbEnv) await dropDatabase(dbEnv).catch(() => undefined);
  }, 60_000);

  it(`SIGKILL with ${SHOTS} creations held: after the restart every shot is drafted from its one prediction`, async () => {
    const env = {
      ...appEnvFor(fake),
      REPLICATE_PREFER_WAIT_SEC: '60',
      REPLICATE_POLL_INTERVAL_MS: '200',
      PRODUCT_GALLERY_CONCURRENCY: String(SHOTS),
      PRODUCT_GALLERY_TICK_MS: '200',
      PRODUCT_GALLERY_PIPELINE_THREADS: '1',
      REPLICATE_WEBHOOK_BASE_URL: '',
    };
    const first = spawnChild('before-kill', path.join(ROOT, 'tests', 'support', 'app-process.ts'));
    children.push(first);
    const booted = await first.call('boot', { env }, 180_000);
    dbEnv = booted.dbEnv;
    // A photo too big to inline: it is uploaded to Replicate's Files API, and the URL it gets is
    // new each time it is uploaded, so only a recorded input can be found again after a restart.
    const photo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-restart-')), 'crane-large.jpg');
    await sharp(photoPath('11_')).resize({ width: 1600 }).jpeg({ quality: 95 }).toFile(photo);
    const seeded = await first.call('seed', { count: SHOTS / 2, photo, category: 'pendant', dimensions: { pendantDropMm: 20 } }, 300_000);
    await first.call('pause');
    const gen = await first.call('generate', { ids: seeded.ids, roles: ['model', 'lifestyle'] });
    expect(gen.assets).toBe(SHOTS);
    await first.call('resume');

    const edits = () => [...fake.predictions.values()].filter((p) => p.model === EDIT_MODEL);
    const deadline = Date.now() + 120_000;
    while (edits().length < SHOTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(edits().length).toBe(SHOTS);
    // All twenty are still running on Replicate: their answers are being held.
    expect(edits().filter((p) => p.status === 'succeeded')).toHaveLength(0);
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await exited;
    const created = new Set(edits().map((p) => p.id));

    const second = spawnChild('after-kill', path.join(ROOT, 'tests', 'support', 'app-process.ts'));
    children.push(second);
    await second.call('boot', { dbEnv, env }, 180_000);
    // The dead process's leases lapse (60 s) before anyone may take its shots.
    const watched = await second.call('watch', { expected: SHOTS, timeoutMs: 400_000 }, 450_000);
    expect(watched.assets.map((a: any) => [a.status, a.error])).toEqual(Array(SHOTS).fill(['draft', null]));
    expect(edits()).toHaveLength(SHOTS);
    const used = watched.assets.map((a: any) => a.predictionId);
    expect(new Set(used).size).toBe(SHOTS);
    for (const id of used) expect(created.has(id)).toBe(true);
    // The photo went by a Files API URL, the case a restart used to get wrong (a new upload, a new URL).
    for (const p of edits()) expect(String(p.input.input_image)).toMatch(new RegExp(`^${fake.url}/files/`));
  }, 900_000);
});
