import * as fs from 'fs';
import sharp from 'sharp';
import { composeOnScene, cutout, intake, renderClean, renderDetail, isPipelineError, type RawImage, type Scene } from '../../plugins/product-gallery/server/src/pipeline';
import { placementAffine } from '../../plugins/product-gallery/server/src/pipeline/fidelity/difference-map';
import { productPhotos } from '../support/photos';

// Shared machine: pixel loops run slowly under load.
jest.setTimeout(10 * 60 * 1000);

const OUT = process.env.PIPELINE_OUT; // set to a directory to keep the images for a look

describe('clean and detail shots for every product photo', () => {
  for (const p of productPhotos()) {
    it(p.filename, async () => {
      const r = await intake(fs.readFileSync(p.path));
      const c = cutout(r.working);
      const clean = await renderClean(r.working, c, { size: 2000, fill: 0.85 });
      const { data, info } = await sharp(clean.buffer).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([2000, 2000, 3]);
      // every border pixel is exactly 255,255,255
      let bad = 0;
      for (let i = 0; i < 2000; i++) {
        for (const idx of [i, 1999 * 2000 + i, i * 2000, i * 2000 + 1999]) {
          if (data[idx * 3] !== 255 || data[idx * 3 + 1] !== 255 || data[idx * 3 + 2] !== 255) bad++;
        }
      }
      expect(bad).toBe(0);
      // product long side = fill * size, centred
      expect(Math.max(clean.productBox.width, clean.productBox.height)).toBe(1700);
      const cx = clean.productBox.x + clean.productBox.width / 2, cy = clean.productBox.y + clean.productBox.height / 2;
      expect(Math.abs(cx - 1000)).toBeLessThanOrEqual(1);
      expect(Math.abs(cy - 1000)).toBeLessThanOrEqual(1);
      // something non-white is there
      let dark = 0;
      for (let i = 0; i < data.length; i += 3) if (data[i] + data[i + 1] + data[i + 2] < 600) dark++;
      expect(dark).toBeGreaterThan(2000);
      // these sources are small: the upscale is flagged
      if (clean.scale > 2) expect(clean.warnings.map((w) => w.code)).toContain('upscaled');

      const detail = await renderDetail(r.working, c, { aspect: '4:5', minLongEdge: 1000 });
      const dm = await sharp(detail.buffer).metadata();
      expect([dm.width, dm.height]).toEqual([800, 1000]);
      expect(detail.sourceBox.width / detail.sourceBox.height).toBeCloseTo(0.8, 1);
      // the crop lies on the product
      const sb = detail.sourceBox;
      let onProduct = 0;
      for (let y = sb.y; y < sb.y + sb.height; y++) for (let x = sb.x; x < sb.x + sb.width; x++) if (c.mask[y * r.width + x] > 127) onProduct++;
      expect(onProduct).toBeGreaterThan(0.02 * sb.width * sb.height);
      if (detail.scale > 2) expect(detail.warnings.map((w) => w.code)).toContain('upscaled');
      if (OUT) {
        fs.mkdirSync(OUT, { recursive: true });
        fs.writeFileSync(`${OUT}/${p.filename.slice(0, 2)}-clean.png`, clean.buffer);
        fs.writeFileSync(`${OUT}/${p.filename.slice(0, 2)}-detail.png`, detail.buffer);
      }
    });
  }
});

describe('shot options', () => {
  it('validates fill (0.80-0.90) and aspect', async () => {
    const r = await intake(fs.readFileSync(productPhotos()[0].path));
    const c = cutout(r.working);
    await expect(renderClean(r.working, c, { fill: 0.95 })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(renderClean(r.working, c, { fill: 0.7 })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(renderDetail(r.working, c, { aspect: 'wide' })).rejects.toMatchObject({ code: 'invalid_option' });
    const jpg = await renderClean(r.working, c, { size: 1000, fill: 0.8, format: 'jpeg' });
    const m = await sharp(jpg.buffer).metadata();
    expect([m.format, m.width, m.height]).toEqual(['jpeg', 1000, 1000]);
    expect(Math.max(jpg.productBox.width, jpg.productBox.height)).toBe(800);
    const sq = await renderDetail(r.working, c, { aspect: '1:1', minLongEdge: 600 });
    expect([sq.width, sq.height]).toEqual([600, 600]);
    try { await renderClean(r.working, c, { fill: 2 }); } catch (e) { expect(isPipelineError(e)).toBe(true); }
  });
});

describe('composeOnScene', () => {
  /** A flat scene with a vertical gradient, so a stripe is a jump between rows the scene does not have. */
  async function gradientScene(width: number, height: number, angle: number, pxPerMm: number): Promise<Scene> {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e9c3a6"/><stop offset="1" stop-color="#b98467"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/></svg>`;
    return { kind: 'custom', image: await sharp(Buffer.from(svg)).png().toBuffer(), width, height, anchor: { x: width / 2, y: height / 2 }, angle, pxPerMm };
  }

  /** A 200x100 dark frame (a ring seen flat: its inside shows the scene) with a red corner marker, on white. */
  function frameSource(): { working: RawImage; cut: { mask: Uint8Array; bbox: { x: number; y: number; width: number; height: number } } } {
    const W = 300, H = 200;
    const data = new Uint8Array(W * H * 4).fill(255);
    const mask = new Uint8Array(W * H);
    for (let y = 50; y < 150; y++) {
      for (let x = 50; x < 250; x++) {
        const inside = x >= 70 && x < 230 && y >= 70 && y < 130;
        if (inside) continue;
        const i = y * W + x;
        const red = x < 70 && y < 70;
        data.set(red ? [200, 30, 30, 255] : [40, 40, 60, 255], i * 4);
        mask[i] = 255;
      }
    }
    return { working: { data, width: W, height: H, channels: 4 }, cut: { mask, bbox: { x: 50, y: 50, width: 200, height: 100 } } };
  }

  it('resizes, then turns: a 200x100 piece at half size turned 90° is 50x100 on the scene, marker where it belongs', async () => {
    const { working, cut } = frameSource();
    // 100 px long at 1 px/mm: a 100 mm piece
    const scene = await gradientScene(600, 600, 90, 1);
    const r = await composeOnScene(working, cut, scene, 100);
    expect([r.placement.width, r.placement.height]).toEqual([50, 100]);
    const { data } = await sharp(r.buffer).raw().toBuffer({ resolveWithObject: true });
    // the dark frame's extent on the composite
    let x0 = 600, x1 = -1, y0 = 600, y1 = -1;
    for (let y = 0; y < 600; y++) for (let x = 0; x < 600; x++) {
      const p = (y * 600 + x) * 3;
      if (data[p] + data[p + 1] + data[p + 2] < 300) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    expect(Math.abs(x1 - x0 + 1 - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(y1 - y0 + 1 - 100)).toBeLessThanOrEqual(2);
    // turned clockwise, the source's top-left corner goes to the top-right
    const at = (x: number, y: number) => data.subarray((y * 600 + x) * 3, (y * 600 + x) * 3 + 3);
    const tr = at(x1 - 3, y0 + 3), tl = at(x0 + 3, y0 + 3);
    expect(tr[0] - tr[1]).toBeGreaterThan(100);
    expect(Math.abs(tl[0] - tl[1])).toBeLessThan(40);
  });

  it('says where each source pixel went: the placement maps the source onto the composite', async () => {
    const { working, cut } = frameSource();
    for (const angle of [0, 90, -12]) {
      const scene = await gradientScene(600, 600, angle, 1.5);
      const r = await composeOnScene(working, cut, scene, 100);
      const p = r.placement;
      const m = placementAffine(p.sourceBox, { x: p.left, y: p.top, width: p.width, height: p.height }, p.angle);
      const { data } = await sharp(r.buffer).raw().toBuffer({ resolveWithObject: true });
      const at = (sx: number, sy: number) => {
        const x = Math.round(m[0] * sx + m[1] * sy + m[2]), y = Math.round(m[3] * sx + m[4] * sy + m[5]);
        return Array.from(data.subarray((y * 600 + x) * 3, (y * 600 + x) * 3 + 3));
      };
      const red = at(60, 60), frame = at(150, 60), hole = at(150, 100);
      expect([angle, red[0] - red[1] > 100]).toEqual([angle, true]);
      expect([angle, frame[0] + frame[1] + frame[2] < 250]).toEqual([angle, true]);
      expect([angle, hole[0] + hole[1] + hole[2] > 450]).toEqual([angle, true]);
    }
  });

  it('leaves the scene seen through the piece as smooth as elsewhere (no stripe rows)', async () => {
    const { working, cut } = frameSource();
    const scene = await gradientScene(600, 600, 0, 2); // 400 px long: a large placement box
    const r = await composeOnScene(working, cut, scene, 200);
    const { data } = await sharp(r.buffer).raw().toBuffer({ resolveWithObject: true });
    const { left, top, width, height } = r.placement;
    // mean of a row's columns [x0, x1): a stripe is a row unlike both its neighbours (second difference)
    const rowMean = (y: number, x0: number, x1: number) => {
      let s = 0;
      for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) s += data[(y * 600 + x) * 3 + c];
      return s / (3 * (x1 - x0));
    };
    const roughness = (y0: number, y1: number, x0: number, x1: number) => {
      let worst = 0;
      for (let y = y0 + 1; y < y1 - 1; y++) worst = Math.max(worst, Math.abs(rowMean(y + 1, x0, x1) - 2 * rowMean(y, x0, x1) + rowMean(y - 1, x0, x1)));
      return worst;
    };
    // the frame's opening (rows 20%..80% of the box) away from its rims, and the same rows left of the box
    const y0 = top + Math.round(height * 0.25), y1 = top + Math.round(height * 0.75);
    const inside = roughness(y0, y1, left + Math.round(width * 0.3), left + Math.round(width * 0.7));
    const outside = roughness(y0, y1, 5, left - 20);
    expect(inside).toBeLessThanOrEqual(outside + 2);
  });

  it('carries no rim of the source background onto the scene', async () => {
    // a red disc with a soft edge, photographed on light grey, placed on a dark blue scene
    const W = 240, H = 240;
    const data = new Uint8Array(W * H * 4);
    const bg = [225, 225, 222], red = [190, 35, 35];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const d = Math.hypot(x - 120, y - 120);
      const a = Math.min(1, Math.max(0, (70 - d) / 4)); // 4 px soft edge
      for (let c = 0; c < 3; c++) data[(y * W + x) * 4 + c] = Math.round(a * red[c] + (1 - a) * bg[c]);
      data[(y * W + x) * 4 + 3] = 255;
    }
    const working: RawImage = { data, width: W, height: H, channels: 4 };
    const cut = cutout(working);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400" fill="#1e2a6a"/></svg>`;
    const scene: Scene = { kind: 'custom', image: await sharp(Buffer.from(svg)).png().toBuffer(), width: 400, height: 400, anchor: { x: 200, y: 200 }, angle: 0, pxPerMm: 1 };
    const r = await composeOnScene(working, cut, scene, cut.bbox.width); // source size: no resampling blur to hide a rim
    const out = await sharp(r.buffer).raw().toBuffer();
    // no pixel of the composite is lighter than both the piece and the scene (a grey/white rim would be)
    let rim = 0;
    for (let i = 0; i < 400 * 400; i++) if (out[i * 3 + 1] > 35 + 25 && out[i * 3 + 2] > 106 + 25) rim++;
    expect(rim).toBe(0);
  });
});
