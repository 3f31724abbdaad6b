/**
 * Finding the source product in a scene (registration) and comparing it there, on the committed
 * fixture photos (or the full set): the product placed on an on-model photo, rotated, scaled,
 * relit, blurred and saved as JPEG, as an AI model's scene would show it.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import { registerProduct, warpSourceToCandidate } from '../../plugins/product-gallery/server/src/pipeline/fidelity/registration';
import { compareScene } from '../../plugins/product-gallery/server/src/pipeline/fidelity/scene';
import { summarizeQc } from '../../plugins/product-gallery/server/src/pipeline/qc';
import type { RawImage } from '../../plugins/product-gallery/server/src/pipeline/raw-image';
import { buildSceneCase, loadSource, type SceneSpec, type SourceProduct } from '../../scripts/fidelity-scenes';
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
