/**
 * Benchmark (not a test): the time of one checkCandidate of a 2000 px candidate, on one core
 * (in-process, libvips and libuv limited to one thread), for the three roads a candidate takes:
 *
 *   clean     : a clean view (the isolated product against the reference)
 *   composite : a local composite (its placement is known: the source laid there and compared)
 *   scene     : a scene with no known box (the product must be found first)
 *
 * Reported as the median CPU time of several runs, as a ratio to the 1.5 s target and to the cost
 * of decoding the same candidate, with the cost of each stage for the clean view.
 *
 *   npm run bench:qc                       # = node -r esbuild-register bench/qc.ts
 *   npm run bench:qc -- --runs 7 --photo 26_
 */
process.env.UV_THREADPOOL_SIZE = '1';
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import {
  analyzeSource, checkCandidate, cutout, downscaleRgba, fidelityChecks, intake, makeLocalShot, technicalQc, ANALYSIS_LONG_SIDE, type SourceAnalysis,
} from '../plugins/product-gallery/server/src/pipeline';
import { registerProduct } from '../plugins/product-gallery/server/src/pipeline/fidelity/registration';
import { arg, fmt, median, table } from './lib/stats';

sharp.concurrency(1);
const TARGET_S = 1.5;
const ROOT = path.resolve(__dirname, '..');

function photo(prefix: string): string {
  const dirs = [process.env.PRODUCT_GALLERY_PHOTOS, path.resolve(ROOT, '../shared/photos'), path.join(ROOT, 'tests/fixtures/photos')].filter(Boolean) as string[];
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    const f = fs.readdirSync(d).find((n) => n.startsWith(prefix));
    if (f) return path.join(d, f);
  }
  throw new Error(`no photo ${prefix}* in ${dirs.join(', ')}`);
}

/**
 * CPU seconds of the whole process (every thread, so libvips' own work counts) over one call: with
 * one libvips and one libuv thread that is one core's work, and other load on the machine does
 * not inflate it the way it inflates wall time.
 */
async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.cpuUsage();
  const v = await fn();
  const d = process.cpuUsage(t);
  return [(d.user + d.system) / 1e6, v];
}

async function medianOf(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: module loads, JIT
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push((await timed(fn))[0]);
  return median(xs);
}

async function main() {
  const runs = Number(arg('runs', '5'));
  const file = photo(arg('photo', '04_') as string);
  const sourceBytes = fs.readFileSync(file);
  const analysis: SourceAnalysis = await analyzeSource(sourceBytes);
  const reference = analysis.fingerprint;
  const sourceWorking = (await intake(sourceBytes)).working;
  const source = { working: sourceWorking, mask: cutout(sourceWorking).mask };
  const clean = await makeLocalShot(sourceBytes, { role: 'clean', aspectRatio: '1:1', minLongEdge: 2000, fill: 0.85 });
  const composite = await makeLocalShot(sourceBytes, { role: 'model', aspectRatio: '1:1', minLongEdge: 2000, scene: { kind: 'neckline' } as never, productLongSideMm: 30 });
  const cases = [
    { name: 'clean', bytes: clean.buffer, spec: { role: 'clean', aspectRatio: '1:1', minLongEdge: 2000, fill: 0.85, reference } },
    { name: 'composite', bytes: composite.buffer, spec: { role: 'model', aspectRatio: '1:1', minLongEdge: 2000, reference, productBox: composite.productBox, placement: composite.placement, expectedProductLongSidePx: composite.placement?.width ? Math.max(composite.placement.width, composite.placement.height) : null } },
    { name: 'scene', bytes: composite.buffer, spec: { role: 'model', aspectRatio: '1:1', minLongEdge: 2000, reference } },
  ];
  console.log(`bench:qc  ${path.basename(file)}, candidates ${clean.width}x${clean.height}, ${runs} runs each (median CPU seconds), one core\n`);
  const rows: Array<Array<string | number>> = [];
  for (const c of cases) {
    const decode = await medianOf(runs, () => sharp(Buffer.from(c.bytes)).raw().toBuffer());
    const check = await medianOf(runs, () => checkCandidate(c.bytes, c.spec as never, {}, sourceBytes));
    const status = (await checkCandidate(c.bytes, c.spec as never, {}, sourceBytes)).qcStatus;
    rows.push([c.name, fmt(check, 3), fmt(check / TARGET_S), fmt(check / decode, 1), fmt(decode, 3), status]);
  }
  console.log(table(['candidate', 'check CPU s', 'x 1.5 s target', 'x decode', 'decode CPU s', 'verdict'], rows));

  // where the clean view's time goes
  const cb = cases[0].bytes;
  const working = (await intake(cb)).working;
  const stages: Array<[string, () => Promise<unknown>]> = [
    ['intake (decode, limits, working copy)', () => intake(cb)],
    ['technical QC', () => technicalQc(Buffer.from(cb), { role: 'clean', minLongEdge: 2000, aspect: '1:1' })],
    [`cutout of the candidate at ${ANALYSIS_LONG_SIDE} px`, async () => cutout(downscaleRgba(working, ANALYSIS_LONG_SIDE).image)],
    ['registration of the scene (ORB, RANSAC)', async () => registerProduct(source.working, source.mask, (await intake(cases[2].bytes)).working)],
    ['fidelity checks (cutout included)', () => fidelityChecks(working, cases[0].spec as never, reference, null)],
  ];
  const srows: Array<Array<string | number>> = [];
  for (const [name, fn] of stages) srows.push([name, fmt(await medianOf(runs, fn), 3)]);
  console.log(`\n${table(['clean view, by stage', 's'], srows)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
