import * as fs from 'fs';
import sharp from 'sharp';
import { cutout, intake, CUTOUT_REVIEW_THRESHOLD, isPipelineError, type RawImage } from '../../plugins/product-gallery/server/src/pipeline';
import { negativePhotos, productPhotos, sceneOnlyPhotos } from '../support/photos';

// Shared machine: pixel loops run slowly under load.
jest.setTimeout(10 * 60 * 1000);

const timings: string[] = [];
afterAll(() => console.log(`CUTOUT timings (ms):\n${timings.join('\n')}`));

async function synthetic(): Promise<RawImage> {
  // a gold ring (annulus) on light grey with a soft shadow: the hole must stay transparent
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="700">
    <rect width="100%" height="100%" fill="#f2f2f0"/>
    <defs><filter id="s"><feGaussianBlur stdDeviation="14"/></filter></defs>
    <circle cx="415" cy="372" r="172" fill="none" stroke="#dddddb" stroke-width="40" filter="url(#s)"/>
    <circle cx="400" cy="350" r="170" fill="none" stroke="#c9a44c" stroke-width="36"/>
  </svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).blur(0.6).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}

describe('cutout: product photos get a confident cutout', () => {
  for (const p of productPhotos()) {
    it(p.filename, async () => {
      const r = await intake(fs.readFileSync(p.path));
      cutout(r.working); // warm-up (JIT) so the timing below is representative
      const c = cutout(r.working);
      timings.push(`${p.filename.padEnd(56)} ${String(c.ms).padStart(5)}  (${r.width}x${r.height})`);
      expect(c.mask.length).toBe(r.width * r.height);
      expect(c.confidence).toBeGreaterThanOrEqual(CUTOUT_REVIEW_THRESHOLD);
      expect(c.areaFraction).toBeGreaterThan(0.003);
      expect(c.areaFraction).toBeLessThan(0.5);
      expect(c.bbox.width).toBeGreaterThan(r.width * 0.05);
      // the border of the photo is background almost everywhere
      let border = 0, on = 0;
      for (let x = 0; x < r.width; x++) { border += 2; if (c.mask[x] > 127) on++; if (c.mask[(r.height - 1) * r.width + x] > 127) on++; }
      expect(on / border).toBeLessThan(0.03);
      // the result is plain data (transferable to/from a worker thread)
      expect(c.mask).toBeInstanceOf(Uint8Array);
      expect(() => structuredClone(c)).not.toThrow();
    });
  }
});

describe('cutout: on-model and lifestyle photos are flagged for review', () => {
  for (const p of sceneOnlyPhotos()) {
    it(p.filename, async () => {
      const r = await intake(fs.readFileSync(p.path));
      const c = cutout(r.working);
      expect(c.confidence).toBeLessThan(CUTOUT_REVIEW_THRESHOLD);
      expect(c.reasons.length).toBeGreaterThan(0);
      for (const reason of c.reasons) expect(reason.message.length).toBeGreaterThan(15);
    });
  }
});

describe('cutout: negatives are refused or flagged, and the process stays up', () => {
  for (const p of negativePhotos()) {
    it(p.filename, async () => {
      let refused = false;
      try {
        const r = await intake(fs.readFileSync(p.path));
        const c = cutout(r.working);
        expect(c.confidence).toBeLessThan(CUTOUT_REVIEW_THRESHOLD);
      } catch (err) {
        expect(isPipelineError(err)).toBe(true);
        refused = true;
      }
      expect(typeof refused).toBe('boolean');
    });
  }
});

describe('cutout: geometry on a synthetic ring', () => {
  it('keeps the hole transparent, leaves the soft shadow out, finds one hole', async () => {
    const img = await synthetic();
    const c = cutout(img);
    const at = (x: number, y: number) => c.mask[y * img.width + x];
    expect(at(400 + 170, 350)).toBeGreaterThan(200); // on the band
    expect(at(400, 350)).toBeLessThan(30); // centre of the hole
    expect(at(60, 60)).toBe(0); // background
    expect(c.holes).toBeGreaterThanOrEqual(1);
    expect(c.bbox.x).toBeGreaterThan(400 - 170 - 30);
    expect(c.bbox.x).toBeLessThan(400 - 170 - 5);
    expect(c.confidence).toBeGreaterThanOrEqual(CUTOUT_REVIEW_THRESHOLD);
  });
  it('a frame-filling scene is flagged', async () => {
    const { data, info } = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#202020' } })
      .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect x="-10" y="100" width="620" height="400" fill="#d0a040"/></svg>') }])
      .ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const c = cutout({ data, width: info.width, height: info.height, channels: 4 });
    expect(c.confidence).toBeLessThan(CUTOUT_REVIEW_THRESHOLD);
  });
});
