import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startCluster, oneMegapixelShots, terminalEvents, type Cluster, type Instance } from '../support/cluster';
import { describeWithServices } from '../support/services';
import { photoPath } from '../support/photos';
import { ROOT } from '../support/strapi';

/**
 * Scale-out, as an operator deploys it: two instances on one PostgreSQL, BullMQ on Redis and one
 * S3-compatible store, 200 AI shots against the fake Replicate server. One instance is killed
 * (SIGKILL) while it holds work and is started again. Every shot ends exactly once, no prediction
 * is created twice, nothing is left in flight, and every stored file (the image and each
 * rendition) is in the object store, readable by the other instance and over its URL.
 */
const SHOTS = 200;
const EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';
const PHOTO = photoPath('01_necklace_product_bird-chain.jpg');

const uploadsListing = () => {
  const dir = path.join(ROOT, 'public', 'uploads');
  return fs.existsSync(dir) ? new Set(fs.readdirSync(dir)) : new Set<string>();
};

describeWithServices('scale-out', ['postgres', 'redis'])('scale-out: two instances, PostgreSQL + Redis + S3, one killed mid-run', () => {
  let cluster: Cluster;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    cluster = await startCluster({
      // Held long enough that the killed instance has creations in flight.
      scenario: { latencyMs: 1500 },
      env: { PRODUCT_GALLERY_CONCURRENCY: '8', REPLICATE_CREATIONS_PER_MINUTE: '1200' },
    });
    a = await cluster.start('instance-A');
    b = await cluster.start('instance-B');
  }, 600_000);

  afterAll(async () => {
    await cluster?.close();
  }, 120_000);

  it(`${SHOTS} shots: each ends once, no prediction twice, nothing stuck, every file readable from the other instance`, async () => {
    const before = uploadsListing();
    await oneMegapixelShots(a, 'necklace');
    const seeded = await a.child.call('seed', { count: SHOTS / 2, photo: PHOTO, category: 'necklace', dimensions: { chainLengthMm: 450 } }, 600_000);
    await Promise.all([a, b].map((i) => i.child.call('pause')));
    const gen = await a.child.call('generate', { ids: seeded.ids, roles: ['model', 'lifestyle'] });
    expect(gen.assets).toBe(SHOTS);
    await Promise.all([a, b].map((i) => i.child.call('resume')));

    // B dies holding work: some creations sent and held by Replicate, some outputs being secured.
    const edits = () => [...cluster.fake.predictions.values()].filter((p) => p.model === EDIT_MODEL);
    const deadline = Date.now() + 240_000;
    while (edits().length < SHOTS * 0.4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const claimedByB = (await b.child.call('stats')).transitions.filter((t: any) => t.to === 'generating').length;
    await cluster.kill(b);
    expect(claimedByB).toBeGreaterThan(0);
    const b2 = await cluster.start('instance-B-again');

    const watched = await a.child.call('watch', { expected: SHOTS, timeoutMs: 1_200_000 }, 1_260_000);

    // Every shot drafted, once: one terminal audit event each, and no failure.
    expect(watched.assets).toHaveLength(SHOTS);
    expect(watched.assets.filter((x: any) => x.status !== 'draft' || x.error)).toEqual([]);
    const ids = watched.assets.map((x: any) => x.documentId).sort();
    const terminals = await terminalEvents(cluster);
    expect(terminals.filter((t) => t.to === 'failed')).toEqual([]);
    expect(terminals.map((t) => [t.asset, t.n]).sort()).toEqual(ids.map((id: string) => [id, 1]));

    // No prediction created twice: one per shot, each used by exactly one shot.
    expect(edits()).toHaveLength(SHOTS);
    const used = watched.assets.map((x: any) => x.predictionId);
    expect(new Set(used).size).toBe(SHOTS);
    expect([...new Set(used)].sort()).toEqual(edits().map((p) => p.id).sort());

    // Nothing stuck: no lease held, no job waiting or running in any queue.
    const leased = await cluster.sql(`SELECT document_id FROM pg_image_assets WHERE lease_owner IS NOT NULL OR status IN ('queued', 'generating')`);
    expect(leased).toEqual([]);
    const IORedis = require('ioredis');
    const redis = new IORedis(cluster.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      for (const queue of ['generate', 'complete', 'check']) {
        const base = `${cluster.prefix}:${queue}`;
        const [wait, active, delayed] = await Promise.all([redis.llen(`${base}:wait`), redis.llen(`${base}:active`), redis.zcard(`${base}:delayed`)]);
        expect({ queue, wait, active, delayed }).toEqual({ queue, wait: 0, active: 0, delayed: 0 });
      }
    } finally {
      redis.disconnect();
    }

    // Every file in the object store, none on this machine's disk.
    const [readByB, readByA] = await Promise.all([b2.child.call('readStoredFiles', {}, 300_000), a.child.call('readStoredFiles', {}, 300_000)]);
    const files: Array<{ asset: string; url: string; sha256: string; bytes: number }> = readByB.files;
    const perAsset = new Map<string, number>();
    for (const f of files) perAsset.set(f.asset, (perAsset.get(f.asset) ?? 0) + 1);
    expect(perAsset.size).toBe(SHOTS);
    // The image and its delivery renditions.
    expect(Math.min(...perAsset.values())).toBeGreaterThan(1);
    const store = `${cluster.s3.endpoint}/${cluster.s3.bucket}/`;
    expect(files.filter((f) => !f.url.startsWith(store))).toEqual([]);
    expect(files.filter((f) => f.bytes === 0)).toEqual([]);
    const written = new Set(cluster.s3.writes().map((key) => `${store}${encodeURI(key)}`));
    expect(files.filter((f) => !written.has(f.url)).map((f) => f.url)).toEqual([]);
    expect(readByA.files).toEqual(files);
    // None of this cluster's files went to local disk (other suites may write theirs meanwhile).
    const ours = new Set(files.map((f) => path.basename(new URL(f.url).pathname)));
    expect([...uploadsListing()].filter((name) => !before.has(name) && ours.has(name))).toEqual([]);
    // And over each file's URL, as a storefront or the admin loads it: the same bytes.
    for (const f of files) {
      const res = await fetch(f.url);
      expect([f.url, res.status]).toEqual([f.url, 200]);
      const sha = crypto.createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
      expect([f.url, sha]).toEqual([f.url, f.sha256]);
    }
  }, 2_400_000);
});
