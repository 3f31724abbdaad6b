/**
 * Acceptance: on every product photo, the local clean and detail shots pass their own QC
 * (no failing check), through the same jobs the generation service runs in the worker pool.
 */
import * as fs from 'fs';
import { createPipelinePool, type PipelinePool } from '../../plugins/product-gallery/server/src/pipeline/pool';
import type { CandidateCheck, LocalShot, SourceAnalysis } from '../../plugins/product-gallery/server/src/pipeline/jobs';
import { productPhotos } from '../support/photos';

jest.setTimeout(15 * 60 * 1000);

let pool: PipelinePool;
beforeAll(() => {
  pool = createPipelinePool({ maxThreads: 2 });
});
afterAll(async () => {
  await pool.destroy();
});

const specs = {
  clean: { role: 'clean', aspectRatio: '1:1', minLongEdge: 2000, fill: 0.85 },
  detail: { role: 'detail', aspectRatio: '1:1', minLongEdge: 1200 },
} as const;

test.each(productPhotos().map((p) => [p.filename, p.path]))('%s: clean and detail shots pass their own QC', async (_name, file) => {
  const bytes = fs.readFileSync(file);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  for (const spec of Object.values(specs)) {
    const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, spec]);
    const check = await pool.run<CandidateCheck>('checkCandidate', [
      shot.buffer,
      { role: spec.role, aspectRatio: spec.aspectRatio, minLongEdge: spec.minLongEdge, reference: source.fingerprint, sourceRegion: shot.sourceRegion ?? null, expectedProductLongSidePx: null },
      {},
      bytes,
    ]);
    const failing = check.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.message}`);
    expect([spec.role, failing]).toEqual([spec.role, []]);
    expect(check.qcStatus).not.toBe('fail');
    if (spec.role === 'clean') {
      expect([shot.width, shot.height]).toEqual([2000, 2000]);
      expect(check.checks.find((c) => c.id === 'tech.srgb')?.status).toBe('pass');
    }
  }
});

test('a recoloured close-up fails against its source region', async () => {
  const bytes = fs.readFileSync(productPhotos().find((p) => p.filename.startsWith('04_'))!.path);
  const source = await pool.run<SourceAnalysis>('analyzeSource', [bytes]);
  const shot = await pool.run<LocalShot>('makeLocalShot', [bytes, specs.detail]);
  const sharp = require('sharp');
  const recoloured = await sharp(Buffer.from(shot.buffer)).modulate({ hue: 60 }).jpeg({ quality: 92 }).toBuffer();
  const check = await pool.run<CandidateCheck>('checkCandidate', [
    recoloured,
    { role: 'detail', aspectRatio: '1:1', minLongEdge: 1200, reference: source.fingerprint, sourceRegion: shot.sourceRegion ?? null },
    {},
    bytes,
  ]);
  expect(check.checks.find((c) => c.id === 'fidelity.color')?.status).toBe('fail');
  expect(check.qcStatus).toBe('fail');
});
