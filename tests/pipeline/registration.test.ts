/**
 * Finding the source product in a scene (registration) and comparing it there, on the committed
 * fixture photos (or the full set): the product placed on an on-model photo, rotated, scaled,
 * relit, blurred and saved as JPEG, as an AI model's scene would show it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { registerProduct, warpSourceToCandidate } from '../../plugins/product-gallery/server/src/pipeline/fidelity/registration';
import { compareScene, measureScene, SCENE_LIMITS } from '../../plugins/product-gallery/server/src/pipeline/fidelity/scene';
import { summarizeQc } from '../../plugins/product-gallery/server/src/pipeline/qc';
import type { RawImage } from '../../plugins/product-gallery/server/src/pipeline/raw-image';
import { buildSceneCase, loadSource, rng, type SceneSpec, type SourceProduct } from '../../scripts/fidelity-scenes';
import { negativePhotos, positivePhotos } from '../support/photos';

jest.setTimeout(60_000);

const photo = (prefix: string) => {
  const p = positivePhotos().find((x) => x.filename.startsWith(prefix));
  if (!p) throw new Error(`photo ${prefix} is in neither photo set`);
  return p;
};

const scene = (over: Partial<SceneSpec>): SceneSpec => ({
  background: { photo: photo('54_').path },
  longSide: 1100,
  productFraction: 0.35,
  rotationDeg: 25,
  at: { x: 0.45, y: 0.55 },
  gain: 0.85,
  warmth: 0.04,
  blur: 0.6,
  jpegQuality: 85,
  alteration: 'none',
  ...over,
});

async function decode(file: string): Promise<RawImage> {
  const { data, info } = await sharp(fs.readFileSync(file)).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 4 };
}

describe('registration: the source product found in a scene', () => {
  let bracelet: SourceProduct;
  const bag = photo('23_');
  beforeAll(async () => {
    bracelet = await loadSource(bag.path);
  });
  const opts = { role: 'lifestyle', category: bag.category, description: bag.description };

  test('found in a rotated, scaled, relit scene, with its scale and rotation', async () => {
    const sc = await buildSceneCase(bracelet, scene({}));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    expect(reg.found).toBe(true);
    expect(reg.reason).toBeNull();
    expect(Math.abs(reg.scale / sc.scale - 1)).toBeLessThan(0.05);
    expect(Math.abs(reg.rotationDeg - sc.rotationDeg)).toBeLessThan(3);
    expect(reg.anisotropy).toBeLessThan(1.06);
    // the box is where the product was placed
    const cx = reg.box.x + reg.box.width / 2, cy = reg.box.y + reg.box.height / 2;
    expect(Math.hypot(cx - sc.centre.x, cy - sc.centre.y)).toBeLessThan(0.05 * Math.max(reg.box.width, reg.box.height));
    const checks = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts);
    expect(checks.map((c) => c.id).sort()).toEqual(['fidelity.color', 'fidelity.scale', 'fidelity.structure']);
    expect(checks.filter((c) => c.status === 'fail' || c.status === 'unverified')).toEqual([]);
    // the warped source lands on the product
    const warped = await warpSourceToCandidate(bracelet.working, bracelet.mask, reg.affine, reg.box, 0.5);
    let on = 0;
    for (const v of warped.mask) if (v >= 128) on++;
    expect(on).toBeGreaterThan(0.1 * warped.mask.length);
  });

  test('a recoloured metal is a colour fail, with the measure in the message', async () => {
    const sc = await buildSceneCase(bracelet, scene({ alteration: 'recolor-metal', rotationDeg: -15, background: { plain: [220, 214, 205] } }));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    expect(reg.found).toBe(true);
    const checks = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts);
    const color = checks.find((c) => c.id === 'fidelity.color')!;
    expect(color.status).toBe('fail');
    expect(color.message).toMatch(/ΔE2000|Lab units/);
  });

  test('a removed part fails', async () => {
    const sc = await buildSceneCase(bracelet, scene({ alteration: 'part-removed', rotationDeg: 10 }));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    const checks = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts);
    expect(summarizeQc(checks)).toBe('fail');
  });

  test('a stretch fails the scale check', async () => {
    const sc = await buildSceneCase(bracelet, scene({ alteration: 'stretch', stretch: 1.18, rotationDeg: 5, background: { plain: [60, 58, 62] } }));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    expect(reg.found).toBe(true);
    expect(reg.anisotropy).toBeGreaterThan(1.1);
    const checks = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts);
    expect(checks.find((c) => c.id === 'fidelity.scale')!.status).toBe('fail');
  });

  test('a stone set beside the piece, outside its outline, fails the structure check and says where', async () => {
    const sc = await buildSceneCase(bracelet, scene({ rotationDeg: -12, background: { plain: [222, 205, 190] } }));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    expect(reg.found).toBe(true);
    // the piece's outermost point to the right, where the placement puts it
    const { affine: m } = reg;
    let px = -Infinity, py = 0;
    for (let y = 0; y < bracelet.working.height; y += 2) for (let x = 0; x < bracelet.working.width; x += 2) {
      if (bracelet.mask[y * bracelet.working.width + x] < 128) continue;
      const u = m[0] * x + m[1] * y + m[2];
      if (u > px) { px = u; py = m[3] * x + m[4] * y + m[5]; }
    }
    // a red stone touching it from outside: not one pixel of it is on the source's outline
    const r = 0.1 * reg.productLongSidePx, cx = px + r + 3;
    const cand = { ...sc.candidate, data: Uint8Array.from(sc.candidate.data) };
    for (let y = Math.floor(py - r); y <= Math.ceil(py + r); y++) for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if (Math.hypot(x - cx, y - py) > r || x < 0 || y < 0 || x >= cand.width || y >= cand.height) continue;
      cand.data.set([176, 24, 44], (y * cand.width + x) * 4);
    }
    const before = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts).find((c) => c.id === 'fidelity.structure')!;
    expect(before.status).toBe('pass');
    const after = compareScene(bracelet.working, bracelet.mask, cand, reg, bracelet.reference, opts).find((c) => c.id === 'fidelity.structure')!;
    expect(after.status).toBe('fail');
    expect(after.message).toMatch(/beside the piece/);
  });

  test('a part removed where the piece lay on a surface of its own colour fails: its detail is gone', async () => {
    const studs = await loadSource(photo('07_').path);
    const pearl = { role: 'lifestyle', category: 'earrings', description: 'double pearl studs' };
    // the backdrop is the pearls' own colour, so the hole left by the part shows no colour change
    const sc = await buildSceneCase(studs, scene({ alteration: 'part-removed', rotationDeg: 8, background: { plain: [236, 232, 226] }, warmth: 0, gain: 1 }));
    const reg = await registerProduct(studs.working, studs.mask, sc.candidate);
    expect(reg.found).toBe(true);
    const { measures } = measureScene(studs.working, studs.mask, sc.candidate, reg, pearl);
    expect(measures.flattenedPct).toBeGreaterThan(SCENE_LIMITS.FLAT_FAIL);
    expect(summarizeQc(compareScene(studs.working, studs.mask, sc.candidate, reg, studs.reference, pearl))).toBe('fail');
    // the same scene with nothing removed keeps its detail
    const same = await buildSceneCase(studs, scene({ rotationDeg: 8, background: { plain: [236, 232, 226] }, warmth: 0, gain: 1 }));
    const reg2 = await registerProduct(studs.working, studs.mask, same.candidate);
    expect(measureScene(studs.working, studs.mask, same.candidate, reg2, pearl).measures.flattenedPct).toBeLessThan(SCENE_LIMITS.FLAT_WARN);
  });

  test('an unrelated photo is cannot-verify, with a reason', async () => {
    const other = await decode(photo('60_').path);
    const reg = await registerProduct(bracelet.working, bracelet.mask, other);
    expect(reg.found).toBe(false);
    expect(reg.reason).toMatch(/not found|too small|cannot/i);
    const checks = compareScene(bracelet.working, bracelet.mask, other, reg, bracelet.reference, opts);
    expect(checks.every((c) => c.status === 'unverified')).toBe(true);
    expect(checks[0].message).toContain(reg.reason!);
  });

  test('a blank negative is cannot-verify', async () => {
    const blank = negativePhotos().find((p) => p.filename.includes('n01_'))!;
    const reg = await registerProduct(bracelet.working, bracelet.mask, await decode(blank.path));
    expect(reg.found).toBe(false);
    expect(reg.reason).toBeTruthy();
  });

  test('a product too small to check is cannot-verify', async () => {
    const sc = await buildSceneCase(bracelet, scene({ productFraction: 0.05, rotationDeg: 0, background: { plain: [230, 228, 224] } }));
    const reg = await registerProduct(bracelet.working, bracelet.mask, sc.candidate);
    expect(reg.found).toBe(false);
    expect(reg.reason).toMatch(/too small|not found/);
    const checks = compareScene(bracelet.working, bracelet.mask, sc.candidate, reg, bracelet.reference, opts);
    expect(summarizeQc(checks)).toBe('unverified');
  });
});

describe('registration: a piece whose matched points lie on one line', () => {
  // A bar pendant, engraved along its length: every distinctive point lies near its axis, so the
  // points alone cannot tell whether it was widened. Drawn here, so that its shape is known.
  let bar: SourceProduct;
  const barOpts = { role: 'lifestyle', category: 'pendant', description: 'engraved gold bar pendant' };
  beforeAll(async () => {
    const W = 600, H = 900, data = Buffer.alloc(W * H * 3, 246);
    const rand = rng(7);
    for (let y = 150; y < 750; y++) for (let x = 270; x < 330; x++) {
      const shade = 150 + Math.round(40 * Math.sin((x - 270) / 19)) ;
      const i = (y * W + x) * 3;
      data[i] = Math.min(255, shade + 50); data[i + 1] = Math.min(255, shade + 20); data[i + 2] = Math.max(0, shade - 60);
    }
    // engraving: short dark strokes down the middle
    for (let k = 0; k < 40; k++) {
      const y0 = 170 + Math.floor(rand() * 560), x0 = 288 + Math.floor(rand() * 24), len = 4 + Math.floor(rand() * 10);
      for (let t = 0; t < len; t++) for (let d = 0; d < 2; d++) {
        const i = ((y0 + t) * W + x0 + d + (k % 2 ? t >> 1 : 0)) * 3;
        data[i] = 70; data[i + 1] = 50; data[i + 2] = 20;
      }
    }
    const file = path.join(os.tmpdir(), `bar-pendant-${process.pid}.png`);
    await sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);
    bar = await loadSource(file);
    fs.unlinkSync(file);
  });

  test('its placement is refined on its pixels, so a widening across it is measured and fails', async () => {
    const same = await buildSceneCase(bar, scene({ rotationDeg: 15, background: { plain: [60, 58, 62] } }));
    const reg0 = await registerProduct(bar.working, bar.mask, same.candidate);
    expect(reg0.found).toBe(true);
    expect(compareScene(bar.working, bar.mask, same.candidate, reg0, bar.reference, barOpts).find((c) => c.id === 'fidelity.scale')!.status).toBe('pass');
    const wide = await buildSceneCase(bar, scene({ alteration: 'stretch', stretch: 1.2, rotationDeg: 15, background: { plain: [60, 58, 62] } }));
    const reg = await registerProduct(bar.working, bar.mask, wide.candidate);
    expect(reg.found).toBe(true);
    expect(reg.denseRho).toBeDefined();
    expect(reg.anisotropy).toBeGreaterThan(1.1);
    expect(compareScene(bar.working, bar.mask, wide.candidate, reg, bar.reference, barOpts).find((c) => c.id === 'fidelity.scale')!.status).toBe('fail');
  });
});
