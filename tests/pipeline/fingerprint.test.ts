import * as fs from 'fs';
import sharp from 'sharp';
import { cutout, fingerprint, hammingHex, intake, GRID, type RawImage } from '../../plugins/product-gallery/server/src/pipeline';
import { productPhotos } from '../support/photos';

// Shared machine: pixel loops run slowly under load.
jest.setTimeout(10 * 60 * 1000);

describe('fingerprint', () => {
  const photos = productPhotos();
  it('is plain JSON with every field, for every product photo', async () => {
    for (const p of photos) {
      const r = await intake(fs.readFileSync(p.path));
      const fp = fingerprint(r.working, cutout(r.working), r.sha256);
      const json = JSON.parse(JSON.stringify(fp));
      expect(json).toEqual(fp);
      expect(fp.sha256).toBe(r.sha256);
      expect(fp.phash).toMatch(/^[0-9a-f]{16}$/);
      expect(fp.color.dominant.length).toBeGreaterThan(0);
      expect(fp.color.dominant.reduce((s, d) => s + d.weight, 0)).toBeCloseTo(1, 1);
      expect(Buffer.from(fp.shape.mask, 'base64').length).toBe(GRID * GRID);
      expect(Buffer.from(fp.thumb, 'base64').length).toBe(GRID * GRID * 3);
      expect(fp.shape.areaFraction).toBeGreaterThan(0);
      expect(fp.shape.longSideFraction).toBeGreaterThan(0.1);
      expect(JSON.stringify(fp).length).toBeLessThan(12_000);
      // self-noise of the structure measures (re-cut of the unchanged product) and frame clipping
      expect(fp.selfNoise).toEqual({ outline: expect.any(Number), localDE: expect.any(Number), missingCells: expect.any(Number), phash: expect.any(Number), shapeCells: expect.any(Number) });
      expect(fp.shape.clipped).toEqual({ x: expect.any(Boolean), y: expect.any(Boolean) });
    }
  });

  it('tells products apart and is stable under re-encoding', async () => {
    const fps = [];
    for (const p of photos.slice(0, 4)) {
      const bytes = fs.readFileSync(p.path);
      const r = await intake(bytes);
      const again = await intake(await sharp(bytes).jpeg({ quality: 85 }).toBuffer());
      fps.push([fingerprint(r.working, cutout(r.working)), fingerprint(again.working, cutout(again.working))]);
    }
    for (let i = 0; i < fps.length; i++) {
      expect(hammingHex(fps[i][0].phash, fps[i][1].phash)).toBeLessThanOrEqual(10);
      for (let j = i + 1; j < fps.length; j++) expect(hammingHex(fps[i][0].phash, fps[j][0].phash)).toBeGreaterThan(10);
    }
  });

  it('counts distinct coloured stones', async () => {
    const stones = (n: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="100%" height="100%" fill="#f4f4f4"/><rect x="100" y="250" width="600" height="60" fill="#b9b9b9"/>${Array.from({ length: n }, (_, i) => `<circle cx="${160 + i * 120}" cy="280" r="24" fill="#1060d0"/>`).join('')}</svg>`;
    const raw = async (svg: string): Promise<RawImage> => {
      const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: 4 };
    };
    const three = await raw(stones(3)), five = await raw(stones(5));
    expect(fingerprint(three, cutout(three)).shape.blobs).toBe(3);
    expect(fingerprint(five, cutout(five)).shape.blobs).toBe(5);
  });
});
