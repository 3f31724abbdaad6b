/**
 * The difference map, through the pipeline's exported functions on real photos: the source is
 * placed on the candidate (known placement for composites, the known region for close-ups,
 * registration otherwise), an unchanged shot has (almost) nothing highlighted, a shot made from
 * an altered piece is highlighted where the alteration is and not elsewhere, and an image of
 * something else is not registered: it says why instead of drawing a guess.
 *
 * Alterations are made on the source photo (a patch of the piece recoloured, or painted over with
 * the surface around it, as an AI edit would), then the shot is made from it the usual way.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import {
  backgroundRgbAt,
  cutout,
  differenceMap,
  intake,
  makeLocalShot,
  type DifferenceMap,
  type LocalShot,
} from '../../plugins/product-gallery/server/src/pipeline';
import { photoPath } from '../support/photos';

jest.setTimeout(240_000);

type Box = { x: number; y: number; width: number; height: number };

/** A patch of the piece (22% of its size, at the product pixel nearest its centre of mass) altered in the source photo. */
async function alterSource(bytes: Buffer, kind: 'recolor' | 'remove'): Promise<{ bytes: Buffer; box: Box }> {
  const src = await intake(bytes);
  const c = cutout(src.working);
  const { width: W, height: H } = src.working;
  let sx = 0, sy = 0, n = 0;
  for (let i = 0; i < c.mask.length; i++) if (c.mask[i] >= 128) { sx += i % W; sy += Math.floor(i / W); n++; }
  let best = Infinity, at = 0;
  for (let i = 0; i < c.mask.length; i++) {
    if (c.mask[i] < 128) continue;
    const d = (i % W - sx / n) ** 2 + (Math.floor(i / W) - sy / n) ** 2;
    if (d < best) { best = d; at = i; }
  }
  const side = Math.round(Math.max(c.bbox.width, c.bbox.height) * 0.22);
  const x0 = Math.max(0, (at % W) - (side >> 1)), y0 = Math.max(0, Math.floor(at / W) - (side >> 1));
  const d = Buffer.from(src.working.data);
  let bx0 = W, by0 = H, bx1 = 0, by1 = 0;
  for (let y = y0; y < Math.min(H, y0 + side); y++) {
    for (let x = x0; x < Math.min(W, x0 + side); x++) {
      const i = y * W + x;
      if (c.mask[i] < 128) continue;
      bx0 = Math.min(bx0, x); by0 = Math.min(by0, y); bx1 = Math.max(bx1, x); by1 = Math.max(by1, y);
      const p = i * 4;
      if (kind === 'recolor') {
        d[p] = Math.min(255, d[p] * 0.6 + 100); d[p + 1] = Math.min(255, d[p + 1] * 0.6 + 40); d[p + 2] = d[p + 2] * 0.5;
      } else {
        const bg = backgroundRgbAt(c.background, x, y, W, H);
        d[p] = bg[0]; d[p + 1] = bg[1]; d[p + 2] = bg[2];
      }
    }
  }
  const out = await sharp(d, { raw: { width: W, height: H, channels: 4 } }).removeAlpha().jpeg({ quality: 95 }).toBuffer();
  return { bytes: out, box: { x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 } };
}

const mapBox = (m: number[], b: Box): Box => {
  const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].map(([x, y]) => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]]);
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
};
const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });
const inside = (x: number, y: number, b: Box) => x >= b.x && y >= b.y && x < b.x + b.width && y < b.y + b.height;

/** Magenta pixels of the PNG (the highlight colour), inside and outside a box. */
async function highlightPixels(map: DifferenceMap, box: Box): Promise<{ inside: number; outside: number }> {
  const { data, info } = await sharp(map.png).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([map.width, map.height]);
  let a = 0, b = 0;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const p = (y * info.width + x) * info.channels;
      const magenta = data[p] > 150 && data[p + 2] > 90 && data[p + 1] < 90;
      if (!magenta) continue;
      if (inside(x, y, box)) a++;
      else b++;
    }
  }
  return { inside: a, outside: b };
}

const specOf = (role: string, shot: LocalShot) => ({ role, productBox: shot.productBox ?? null, sourceRegion: shot.sourceRegion ?? null, placementAngle: shot.placement?.angle ?? null });

const SHOT = { aspectRatio: '1:1', minLongEdge: 1000, productLongSideMm: 80 } as const;

describe('difference map', () => {
  // A clean view is registered from the piece's own features: painting a part of it out can take
  // the registration's confidence with it (then the map says "not found"), so it is altered by colour.
  const cases: { name: string; photo: string; role: 'model' | 'detail' | 'clean'; method: DifferenceMap['method']; kinds: ('recolor' | 'remove')[] }[] = [
    { name: 'a composite (known placement)', photo: '07_', role: 'model', method: 'placement', kinds: ['recolor', 'remove'] },
    { name: 'a close-up (known region)', photo: '04_', role: 'detail', method: 'region', kinds: ['recolor', 'remove'] },
    { name: 'a clean view (registration)', photo: '04_', role: 'clean', method: 'registration', kinds: ['recolor'] },
  ];

  for (const c of cases) {
    describe(c.name, () => {
      const source = fs.readFileSync(photoPath(c.photo));
      const shotSpec = { role: c.role, ...SHOT, scene: c.role === 'model' ? ({ kind: 'surface' } as const) : undefined };

      test('unchanged: registered, outline drawn, little highlighted', async () => {
        const shot = await makeLocalShot(source, shotSpec);
        const map = await differenceMap(shot.buffer, source, c.role === 'clean' ? { role: c.role } : specOf(c.role, shot));
        expect(map.registered).toBe(true);
        expect(map.reason).toBeNull();
        expect(map.method).toBe(c.method);
        expect(map.changedFraction).toBeLessThan(0.02);
        const px = await highlightPixels(map, { x: 0, y: 0, width: 0, height: 0 });
        expect(px.outside).toBeLessThan(map.width * map.height * 0.002);
        // the outline (cyan) is there: where the source product lands
        const { data, info } = await sharp(map.png).raw().toBuffer({ resolveWithObject: true });
        let cyan = 0;
        for (let p = 0; p < data.length; p += info.channels) if (data[p] < 30 && data[p + 1] > 180 && data[p + 2] > 220) cyan++;
        expect(cyan).toBeGreaterThan(100);
      });

      for (const kind of c.kinds) {
        test(`${kind === 'recolor' ? 'a recoloured part' : 'a part removed'}: highlighted where it is, not elsewhere`, async () => {
          const altered = await alterSource(source, kind);
          const shot = await makeLocalShot(altered.bytes, shotSpec);
          const map = await differenceMap(shot.buffer, source, c.role === 'clean' ? { role: c.role } : specOf(c.role, shot));
          expect(map.registered).toBe(true);
          const target = grow(mapBox(map.affine!, altered.box), Math.round(map.width * 0.02));
          expect(map.regions.length).toBeGreaterThan(0);
          // the largest highlighted region is at the alteration
          const r = map.regions[0];
          expect(inside(r.x + r.width / 2, r.y + r.height / 2, target)).toBe(true);
          const px = await highlightPixels(map, target);
          expect(px.inside).toBeGreaterThan(50);
          expect(px.outside).toBeLessThan(px.inside * 0.25);
        });
      }
    });
  }

  test('an image of something else is not registered, and says why (no outline, no guess)', async () => {
    const source = fs.readFileSync(photoPath('04_'));
    const other = fs.readFileSync(photoPath('26_'));
    const map = await differenceMap(other, source, { role: 'lifestyle' });
    expect(map.registered).toBe(false);
    expect(map.method).toBeNull();
    expect(map.affine).toBeNull();
    expect(map.regions).toEqual([]);
    expect(map.reason).toMatch(/\w+ \w+/);
    const meta = await sharp(map.png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([map.width, map.height]);
  });
});
