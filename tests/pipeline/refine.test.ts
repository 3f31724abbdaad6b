import * as fs from 'fs';
import {
  components,
  cutout,
  decodeMaskPng,
  intake,
  refineMask,
  refineSource,
  CUTOUT_REVIEW_THRESHOLD,
  type CutoutResult,
  type RawImage,
  type RefineStroke,
} from '../../plugins/product-gallery/server/src/pipeline';
import { photoPath } from '../support/photos';

// grabCut in WebAssembly on a shared 2-core machine: seconds per refinement under load.
jest.setTimeout(5 * 60 * 1000);

/** Connected parts of a mask (alpha >= 128), largest first, with their pixels. */
function parts(mask: Uint8Array, w: number, h: number) {
  const cc = components(w, h, (i) => mask[i] >= 128);
  const out: { label: number; area: number; box: { x: number; y: number; width: number; height: number }; pixels: number[] }[] = [];
  for (let l = 1; l <= cc.count; l++) out.push({ label: l, area: cc.areas[l], box: { x: cc.boxes[4 * l], y: cc.boxes[4 * l + 1], width: cc.boxes[4 * l + 2] - cc.boxes[4 * l] + 1, height: cc.boxes[4 * l + 3] - cc.boxes[4 * l + 1] + 1 }, pixels: [] });
  for (let i = 0; i < cc.labels.length; i++) if (cc.labels[i]) out[cc.labels[i] - 1].pixels.push(i);
  return out.sort((a, b) => b.area - a.area);
}

const within = (x: number, y: number, s: RefineStroke, w: number, h: number) => {
  const r = s.radius * Math.max(w, h);
  return s.points.some((p, k) => {
    const a = s.points[Math.max(0, k - 1)];
    const ax = a.x * w, ay = a.y * h, bx = p.x * w, by = p.y * h;
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const t = len2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
    return (ax + t * dx - x) ** 2 + (ay + t * dy - y) ** 2 <= r * r;
  });
};

describe('refine: grabCut from the automatic cutout and an editor\'s strokes', () => {
  let src: RawImage;
  let auto: CutoutResult;
  beforeAll(async () => {
    // A pair of double-pearl studs, white on white marble: the automatic cutout misses much of
    // the large pearls and takes in some of their shadow.
    src = (await intake(fs.readFileSync(photoPath('07')))).working;
    auto = cutout(src);
  });

  it('no stroke: the mask comes back as it was', async () => {
    const r = await refineMask(src, auto.mask, []);
    expect(r.refined).toBe(false);
    expect(Buffer.compare(Buffer.from(r.mask), Buffer.from(auto.mask))).toBe(0);
    expect(r.changedFraction).toBe(0);
  });

  it('a remove stroke over part of a piece removes that whole part, beyond the brush', async () => {
    const { width: w, height: h } = src;
    const all = parts(auto.mask, w, h);
    expect(all.length).toBeGreaterThanOrEqual(2);
    // the smallest significant part of the automatic cutout, struck through its middle only
    const part = all.filter((p) => p.area > 0.001 * w * h).pop()!;
    const cx = (part.box.x + part.box.width / 2) / w, cy = (part.box.y + part.box.height / 2) / h;
    const stroke: RefineStroke = { mode: 'remove', radius: (0.25 * Math.min(part.box.width, part.box.height)) / Math.max(w, h), points: [{ x: cx - 0.01, y: cy }, { x: cx + 0.01, y: cy }] };
    const r = await refineMask(src, auto.mask, [stroke]);
    expect(r.refined).toBe(true);
    const outside = part.pixels.filter((i) => !within((i % w) + 0.5, Math.floor(i / w) + 0.5, stroke, w, h));
    expect(outside.length).toBeGreaterThan(part.pixels.length * 0.3);
    const removed = outside.filter((i) => r.mask[i] < 128).length / outside.length;
    console.log(`REFINE remove: part of ${part.area} px, ${outside.length} beyond the brush, ${(removed * 100).toFixed(0)}% of those removed; ${r.ms} ms`);
    expect(removed).toBeGreaterThan(0.8);
    // the rest of the piece stays: the largest part keeps most of its pixels
    const kept = all[0].pixels.filter((i) => r.mask[i] >= 128).length / all[0].pixels.length;
    expect(kept).toBeGreaterThan(0.8);
  });

  it('a keep stroke over what was left out pulls it in', async () => {
    const { width: w, height: h } = src;
    // a band across the whole frame's middle row that the automatic cutout calls background
    const y = Math.round(h * 0.5);
    let x0 = -1;
    for (let x = Math.round(w * 0.1); x < w * 0.9 && x0 < 0; x++) {
      let free = true;
      for (let k = 0; k < 12 && free; k++) if (auto.mask[y * w + x + k] >= 128) free = false;
      if (free) x0 = x;
    }
    expect(x0).toBeGreaterThanOrEqual(0);
    const stroke: RefineStroke = { mode: 'keep', radius: 4 / Math.max(w, h), points: [{ x: (x0 + 2) / w, y: y / h }, { x: (x0 + 9) / w, y: y / h }] };
    const r = await refineMask(src, auto.mask, [stroke]);
    expect(r.mask[y * w + x0 + 5]).toBeGreaterThanOrEqual(128);
    expect(auto.mask[y * w + x0 + 5]).toBeLessThan(128);
    expect(r.areaFraction).toBeGreaterThan(auto.areaFraction * 0.5);
  });

  it('is deterministic: the same strokes give the same mask', async () => {
    const strokes: RefineStroke[] = [{ mode: 'keep', radius: 0.03, points: [{ x: 0.4, y: 0.48 }, { x: 0.42, y: 0.5 }] }];
    const a = await refineMask(src, auto.mask, strokes);
    const b = await refineMask(src, auto.mask, strokes);
    expect(Buffer.compare(Buffer.from(a.mask), Buffer.from(b.mask))).toBe(0);
  });
});

describe('refineSource: the worker job behind the refine preview', () => {
  it('an uncertain lifestyle photo: the refined mask comes back as a PNG at the source size', async () => {
    const bytes = fs.readFileSync(photoPath('60'));
    const r = await refineSource(bytes, [{ mode: 'remove', radius: 0.03, points: [{ x: 0.02, y: 0.02 }, { x: 0.05, y: 0.05 }] }]);
    expect(r.automatic.confidence).toBeLessThan(CUTOUT_REVIEW_THRESHOLD);
    expect(r.automatic.reasons.length).toBeGreaterThan(0);
    const mask = await decodeMaskPng(r.maskPng);
    expect([mask.width, mask.height]).toEqual([r.width, r.height]);
    expect(r.refined.areaFraction).toBeGreaterThan(0);
    expect(r.refined.agreementWithAutomatic).toBeGreaterThan(0.5);
    expect(() => structuredClone(r)).not.toThrow();
  });
});
