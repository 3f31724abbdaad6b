/**
 * Acceptance: on every product photo, the project's own shots made from the untouched source
 * pixels (clean, close-up, and the model and lifestyle composites on the default scenes) pass
 * their own fidelity checks: no 'fail' and no 'unverified'. Each shot is made and checked through
 * the same worker jobs, with the same check spec, as the generation and dispatch services.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import { createPipelinePool, type PipelinePool } from '../../plugins/product-gallery/server/src/pipeline/pool';
import type { CandidateCheck, LocalShot, LocalShotSpec, SourceAnalysis } from '../../plugins/product-gallery/server/src/pipeline/jobs';
import { SCENE_FOR_CATEGORY } from '../../plugins/product-gallery/server/src/pipeline/scenes';
import { productLongSideMm } from '../../plugins/product-gallery/server/src/domain/scale';
import { productPhotos, PHOTO_SET } from '../support/photos';

jest.setTimeout(20 * 60 * 1000);

let pool: PipelinePool;
beforeAll(() => {
  pool = createPipelinePool({ maxThreads: 2 });
});
afterAll(async () => {
  await pool.destroy();
});

/** The default brief's roles (domain/default-briefs.ts) and the scene services/generation.ts picks for each. */
const shotSpecs = (category: string): LocalShotSpec[] => {
  const mm = productLongSideMm(category, {}).longSideMm;
  return [
    { role: 'clean', aspectRatio: '1:1', minLongEdge: 2000, fill: 0.85 },
    { role: 'detail', aspectRatio: '1:1', minLongEdge: 1200 },
    { role: 'model', aspectRatio: '4:5', minLongEdge: 1200, scene: { kind: SCENE_FOR_CATEGORY[category] ?? 'surface' }, productLongSideMm: mm },
    { role: 'lifestyle', aspectRatio: '16:9', minLongEdge: 1600, scene: { kind: 'surface' }, productLongSideMm: mm },
  ];
};

/** What services/dispatch.ts asks of the check for a local shot (its hints from services/generation.ts). */
const checkSpec = (spec: LocalShotSpec, shot: LocalShot, source: SourceAnalysis, category: string) => ({
  role: spec.role,
  aspectRatio: spec.aspectRatio,
  minLongEdge: spec.minLongEdge,
  reference: source.fingerprint,
  expectedProductLongSidePx: shot.placement?.productLongSidePx ?? null,
  productBox: shot.productBox ?? null,
  placement: shot.placement ?? null,
  sourceRegion: shot.sourceRegion ?? null,
  fill: spec.role === 'clean' ? spec.fill ?? null : null,
  category,
});

const label = (spec: LocalShotSpec) => (spec.scene && 'kind' in spec.scene ? `${spec.role} on ${spec.scene.kind}` : spec.role);

test.each(productPhotos().map((p) => [p.filename, p.path, p.category]))(`%s (${PHOTO_SET.kind} set): its own shots pass their own checks`, async (_name, file, category) => {
  const bytes = fs.readFileSync(file);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  const results = await Promise.all(
    shotSpecs(category).map(async (spec) => {
      const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
      const check = await pool.run<CandidateCheck>('checkCandidate', [shot.buffer, checkSpec(spec, shot, source, category), {}, bytes]);
      return { spec, shot, check };
    })
  );
  const blocking = results.flatMap(({ spec, check }) =>
    check.checks.filter((c) => c.id.startsWith('fidelity') && (c.status === 'fail' || c.status === 'unverified')).map((c) => `${label(spec)}: ${c.id} ${c.status} (${c.value}): ${c.message}`)
  );
  expect(blocking).toEqual([]);
  const clean = results.find((r) => r.spec.role === 'clean')!;
  expect([clean.shot.width, clean.shot.height]).toEqual([2000, 2000]);
  expect(clean.check.checks.find((c) => c.id === 'tech.srgb')?.status).toBe('pass');
  for (const { shot } of results.filter((r) => r.shot.composite)) expect(shot.productBox).toBeTruthy();
});

test('a recoloured close-up fails against its source region', async () => {
  const photo = productPhotos().find((p) => p.filename.startsWith('04_')) ?? productPhotos()[0];
  const bytes = fs.readFileSync(photo.path);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  const spec: LocalShotSpec = { role: 'detail', aspectRatio: '1:1', minLongEdge: 1200 };
  const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
  const recoloured = await sharp(Buffer.from(shot.buffer)).modulate({ hue: 60 }).jpeg({ quality: 92 }).toBuffer();
  const check = await pool.run<CandidateCheck>('checkCandidate', [recoloured, checkSpec(spec, shot, source, photo.category), {}, bytes]);
  expect(check.checks.find((c) => c.id === 'fidelity.color')?.status).toBe('fail');
  expect(check.qcStatus).toBe('fail');
});

test('a composite whose product was recoloured fails', async () => {
  const photo = productPhotos().find((p) => p.filename.startsWith('04_')) ?? productPhotos()[0];
  const bytes = fs.readFileSync(photo.path);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  const spec = shotSpecs(photo.category).find((s) => s.role === 'lifestyle')!;
  const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
  // the product's box recoloured in place, the scene around it untouched
  const box = shot.productBox!;
  const region = { left: box.x, top: box.y, width: Math.min(box.width, shot.width - box.x), height: Math.min(box.height, shot.height - box.y) };
  const patch = await sharp(Buffer.from(shot.buffer)).extract(region).modulate({ hue: 90 }).png().toBuffer();
  const recoloured = await sharp(Buffer.from(shot.buffer)).composite([{ input: patch, left: region.left, top: region.top }]).jpeg({ quality: 92 }).toBuffer();
  const check = await pool.run<CandidateCheck>('checkCandidate', [recoloured, checkSpec(spec, shot, source, photo.category), {}, bytes]);
  expect(check.checks.find((c) => c.id === 'fidelity.color')?.status).toBe('fail');
});

test('composites compared at their known placement: the untouched ones pass, recoloured ones fail', async () => {
  const { intake } = await import('../../plugins/product-gallery/server/src/pipeline/intake');
  const { placementRegistration } = await import('../../plugins/product-gallery/server/src/pipeline/composite');
  const { compareScene } = await import('../../plugins/product-gallery/server/src/pipeline/fidelity/scene');
  const { sourceMaskFor } = await import('../../plugins/product-gallery/server/src/pipeline/fidelity/checks');
  const blocking: string[] = [];
  const caught: string[] = [];
  const photos = productPhotos().filter((_, i) => i % 3 === 0);
  for (const photo of photos) {
    const bytes = fs.readFileSync(photo.path);
    const source = (await intake(bytes)).working;
    const mask = sourceMaskFor(source, null);
    for (const spec of shotSpecs(photo.category).filter((s) => s.scene)) {
      const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
      const reg = placementRegistration(shot.placement!);
      const opts = { role: spec.role, productLongSideMm: spec.productLongSideMm, pxPerMm: shot.placement!.pxPerMm, category: photo.category };
      const asMade = compareScene(source, mask, (await intake(Buffer.from(shot.buffer))).working, reg, null, opts);
      blocking.push(...asMade.filter((c) => c.status === 'fail' || c.status === 'unverified').map((c) => `${photo.filename} ${label(spec)}: ${c.id} ${c.status}: ${c.message}`));
      const b = shot.productBox!;
      const region = { left: b.x, top: b.y, width: Math.min(b.width, shot.width - b.x), height: Math.min(b.height, shot.height - b.y) };
      // a blue tint moves every metal (a hue turn leaves silver, white or black pieces as they were)
      const patch = await sharp(Buffer.from(shot.buffer)).extract(region).tint({ r: 40, g: 90, b: 255 }).png().toBuffer();
      const recoloured = await sharp(Buffer.from(shot.buffer)).composite([{ input: patch, left: region.left, top: region.top }]).jpeg({ quality: 92 }).toBuffer();
      const after = compareScene(source, mask, (await intake(recoloured)).working, reg, null, opts);
      if (after.some((c) => c.status === 'fail')) caught.push(`${photo.filename} ${label(spec)}`);
    }
  }
  expect(blocking).toEqual([]);
  expect(caught.length).toBe(photos.length * 2);
});

test('a composite recorded without its source region is cannot-verify, not an error', async () => {
  const { placementRegistration } = await import('../../plugins/product-gallery/server/src/pipeline/composite');
  const photo = productPhotos()[0];
  const bytes = fs.readFileSync(photo.path);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  const spec = shotSpecs(photo.category).find((s) => s.role === 'lifestyle')!;
  const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
  const { sourceBox: _dropped, ...older } = shot.placement!;
  expect(placementRegistration(older as any).found).toBe(false);
  const check = await pool.run<CandidateCheck>('checkCandidate', [shot.buffer, { ...checkSpec(spec, shot, source, photo.category), placement: older }, {}, bytes]);
  expect(check.checks.filter((c) => c.id.startsWith('fidelity')).map((c) => c.status)).toContain('unverified');
});
