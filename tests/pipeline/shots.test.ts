import * as fs from 'fs';
import sharp from 'sharp';
import { cutout, intake, renderClean, renderDetail, isPipelineError } from '../../plugins/product-gallery/server/src/pipeline';
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
