/**
 * Fidelity checks through their public functions: the unit-level behaviours on a committed
 * fixture photo (a recolour and a removed part fail, a recompressed image passes, no reference or
 * no isolable product cannot be verified, no role turns a failure into a warning), and the
 * acceptance rates over the whole photo set (scripts/fidelity-suite.ts), skipped without it.
 */
import * as fs from 'fs';
import { execFile } from 'child_process';
import * as path from 'path';
import { checkFidelity, cutout, fidelityChecks, fingerprint, intake, summarizeQc, NO_REFERENCE_MESSAGE, type QcCheck, type RawImage } from '../../plugins/product-gallery/server/src/pipeline';
import { alterations, cleanViewOf, preservations, CLEAN_FILL, type SuiteResult, type Tally } from '../../scripts/fidelity-suite';
import { photoPath, productPhotos, sceneOnlyPhotos, testWithFullSet } from '../support/photos';

const ROOT = path.resolve(__dirname, '../..');
// Pixel loops in jest's sandbox on a loaded 2-core machine: minutes, not seconds.
jest.setTimeout(20 * 60 * 1000);

const byId = (checks: QcCheck[], id: string) => checks.find((c) => c.id === id);
const failing = (checks: QcCheck[]) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

type SuiteSummary = Omit<SuiteResult, 'cases'> & { misses: string[] };

/** scripts/fidelity-suite.ts on some photos, in a Node process of its own. */
const fidelitySuite = (photos: string[]) =>
  new Promise<SuiteSummary>((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', 'esbuild-register', path.join(ROOT, 'scripts/fidelity-suite.ts'), '--json', ...photos],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!)))
    );
  });

describe('fidelity checks', () => {
  let view: Awaited<ReturnType<typeof cleanViewOf>>;
  let cases: Map<string, RawImage>;
  beforeAll(async () => {
    view = await cleanViewOf(fs.readFileSync(photoPath('04_')));
    const all = [...(await alterations(view.clean, view.cleanCut, view.reference.color.chroma, 'clean')), ...(await preservations(view.clean, view.cleanCut, 'clean'))];
    cases = new Map(all.map((c) => [c.name, c.image]));
  });
  const clean = (image: RawImage) => fidelityChecks(image, { role: 'clean', fill: CLEAN_FILL }, view.reference, null);

  it('a clean view as made passes, and so does the same view recompressed at JPEG quality 60', async () => {
    for (const image of [view.clean, cases.get('jpeg-q60')!]) {
      const checks = await clean(image);
      expect(checks.map((c) => c.id)).toEqual(['fidelity.color', 'fidelity.structure', 'fidelity.sharpness', 'fidelity.scale']);
      expect(failing(checks)).toEqual([]);
    }
  });

  it('a recoloured product fails the colour check, with the measure and its limit in words', async () => {
    const color = byId(await clean(cases.get('recolor-yellow')!), 'fidelity.color')!;
    expect(color.status).toBe('fail');
    expect(color.message).toMatch(/ΔE2000 \d+\.\d between the dominant colours .*\(limit 6\)/);
  });

  it('a removed part and a stretch fail the structure check, saying what changed', async () => {
    const removed = byId(await clean(cases.get('part-removed')!), 'fidelity.structure')!;
    expect(removed.status).toBe('fail');
    expect(removed.message).toMatch(/missing|outline|changed colour/);
    const stretched = byId(await clean(cases.get('stretch-x+18%')!), 'fidelity.structure')!;
    expect(stretched.status).toBe('fail');
    expect(stretched.message).toMatch(/stretched by \d+% along one direction \(limit \d+%\)/);
  });

  it('no role turns a failure into a warning: the same removed part fails as a composite region of a model shot', async () => {
    const image = cases.get('part-removed')!;
    const checks = await fidelityChecks(image, { role: 'model', productBox: { x: 0, y: 0, width: image.width, height: image.height } }, view.reference, null);
    expect(byId(checks, 'fidelity.structure')!.status).toBe('fail');
    expect(summarizeQc(checks)).toBe('fail');
  });

  it('a size nothing says: not measured is not a pass, it asks a person (cannot verify), and blocks the roll-up', async () => {
    // neither a fill from the brief nor a real size: nothing to compare the product's size with
    const checks = await fidelityChecks(view.clean, { role: 'clean' }, view.reference, null);
    const scale = byId(checks, 'fidelity.scale')!;
    expect(scale.status).toBe('unverified');
    expect(scale.value).toBeNull();
    expect(scale.message).toMatch(/not measured/i);
    expect(summarizeQc(checks)).toBe('unverified');
    // with the brief's framing it is measured, and passes
    expect(byId(await clean(view.clean), 'fidelity.scale')!.status).toBe('pass');
  });

  it('a product our own generator laid in a known box, with no size expected: no scale check at all, rather than a pass that measured nothing', async () => {
    const box = { x: 0, y: 0, width: view.clean.width, height: view.clean.height };
    const checks = await fidelityChecks(view.clean, { role: 'clean', productBox: box }, view.reference, null);
    expect(checks.map((c) => c.id)).toEqual(['fidelity.color', 'fidelity.structure', 'fidelity.sharpness']);
    expect(checks.filter((c) => c.status === 'pass' && c.value === null)).toEqual([]);
  });

  it('every measured check says what its value is in (the unit travels with the check)', async () => {
    const checks = await clean(cases.get('recolor-yellow')!);
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) if (c.value !== null) expect([c.id, c.unit]).toEqual([c.id, expect.any(String)]);
    expect(byId(checks, 'fidelity.color')!.unit).toBe('delta-e');
    expect(byId(checks, 'fidelity.scale')!.unit).toBe('change');
  });

  it('no reference: cannot verify, and a person is told to compare by eye', async () => {
    const checks = await fidelityChecks(view.clean, { role: 'clean' }, null, null);
    expect(checks).toEqual([expect.objectContaining({ id: 'fidelity.reference', status: 'unverified', message: NO_REFERENCE_MESSAGE })]);
    expect(summarizeQc(checks)).toBe('unverified');
  });

  it('a product that cannot be isolated is not compared: cannot verify, with why', async () => {
    const blank: RawImage = { data: new Uint8Array(800 * 800 * 4).fill(255), width: 800, height: 800, channels: 4 };
    const none = await clean(blank);
    expect(none.every((c) => c.status === 'unverified')).toBe(true);
    expect(none[0].message).toMatch(/No product could be told apart/);
    // a worn product on a busy photo, checked as a clean view: the cutout is unsure, so the measures are not trusted
    const scene = await intake(fs.readFileSync(sceneOnlyPhotos()[0].path));
    const unsure = checkFidelity(scene.working, cutout(scene.working), view.reference);
    expect(byId(unsure, 'fidelity.isolation')).toEqual(expect.objectContaining({ status: 'unverified', message: expect.stringMatching(/could not be isolated with confidence .*confidence \d\.\d\d, minimum 0\.6/) }));
    expect(summarizeQc(unsure)).not.toBe('pass');
  });

  it('a scene with no known place and no source photo to search: cannot verify', async () => {
    const checks = await fidelityChecks(view.clean, { role: 'lifestyle' }, view.reference, null);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.status === 'unverified' && /compare it with the source by eye/.test(c.message))).toBe(true);
  });

  it('the reference is plain JSON with the shape grid the aligned comparison needs', async () => {
    const r = await intake(fs.readFileSync(photoPath('04_')));
    const fp = fingerprint(r.working, cutout(r.working), r.sha256);
    expect(JSON.parse(JSON.stringify(fp))).toEqual(fp);
    expect(Buffer.from(fp.shape.presence!, 'base64').length).toBe((96 * 96) / 8);
    expect(fp.frameLongSidePx).toBeGreaterThanOrEqual(fp.productLongSidePx);
  });

  // Detection and false-reject rates are figures over the whole set: a few fixture photos prove nothing.
  testWithFullSet('acceptance: on clean views and close-ups, altered products are caught and preserved ones pass, on both halves', async () => {
    // Minutes of one core's work, on photos that are independent of each other: two processes,
    // each on every other photo, use both cores (jest runs in band), and their tallies add up.
    const photos = productPhotos().map((p) => p.path);
    const parts = await Promise.all(
      [0, 1].map((k) => fidelitySuite(photos.filter((_, i) => i % 2 === k)))
    );
    const res = { altered: 0, preserved: 0, halves: {} as Record<string, Tally> };
    for (const part of parts) {
      process.stdout.write(`${part.report}\n${part.misses.join('\n')}\n`);
      res.altered += part.altered;
      res.preserved += part.preserved;
      for (const [half, t] of Object.entries(part.halves)) {
        const sum = (res.halves[half] ??= { altered: 0, caught: 0, preserved: 0, rejected: 0, unverified: 0 });
        for (const k of Object.keys(sum) as (keyof Tally)[]) sum[k] += t[k];
      }
    }
    process.stdout.write(`whole set, per half: ${JSON.stringify(res.halves)}\n`);
    expect(res.altered).toBeGreaterThanOrEqual(productPhotos().length * 14);
    expect(res.preserved).toBeGreaterThanOrEqual(productPhotos().length * 12);
    for (const half of ['tune', 'held-out']) {
      const t = res.halves[half];
      expect(t.caught / t.altered).toBeGreaterThanOrEqual(0.95);
      expect(t.rejected / t.preserved).toBeLessThanOrEqual(0.02);
    }
  });
});
