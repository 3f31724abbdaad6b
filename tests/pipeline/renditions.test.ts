/**
 * Storefront renditions: responsive widths (never upscaled), WebP + JPEG always, AVIF only at
 * small widths, ThumbHash placeholder, focal point, decoded once.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import {
  AVIF_MAX_WIDTH,
  planRenditions,
  renditions,
  renditionWidths,
} from '../../plugins/product-gallery/server/src/pipeline/renditions';
import { decodeOnce } from '../../plugins/product-gallery/server/src/pipeline/decode';
import { describeThumbHash } from '../../plugins/product-gallery/server/src/pipeline/thumbhash';
import { positivePhotos } from '../support/photos';

const photo = (prefix: string) => fs.readFileSync(positivePhotos().find((p) => p.filename.startsWith(prefix))!.path);

/** A transparent 1200x800 PNG with an opaque dark disc centred at (900, 250). */
async function cutoutFixture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><circle cx="900" cy="250" r="150" fill="#3a2a10"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

test('widths: skip those above the source, keep the source width when it is smaller than all', () => {
  expect(renditionWidths(1600)).toEqual([320, 640, 960, 1280]);
  expect(renditionWidths(4000)).toEqual([320, 640, 960, 1280, 1920]);
  expect(renditionWidths(300)).toEqual([300]);
  expect(renditionWidths(320)).toEqual([320]);
  expect(renditionWidths(500, [800, 400])).toEqual([400]);
});

test('plan: AVIF only where it is worth its cost, WebP and JPEG always', () => {
  const plan = planRenditions(3000, 2000);
  const avif = plan.filter((s) => s.format === 'avif').map((s) => s.width);
  expect(avif).toEqual([320, 640, 960].filter((w) => w <= AVIF_MAX_WIDTH));
  for (const w of [320, 640, 960, 1280, 1920]) {
    expect(plan.filter((s) => s.width === w && s.format === 'webp')).toHaveLength(1);
    expect(plan.filter((s) => s.width === w && s.format === 'jpeg')).toHaveLength(1);
  }
  // Asking without AVIF drops it; WebP and JPEG cannot be dropped.
  expect(planRenditions(3000, 2000, { formats: ['jpeg'] }).map((s) => s.format)).not.toContain('avif');
  expect(new Set(planRenditions(3000, 2000, { formats: ['jpeg'] }).map((s) => s.format))).toEqual(new Set(['webp', 'jpeg']));
  // Heights keep the aspect ratio.
  expect(plan.find((s) => s.width === 960)!.height).toBe(640);
});

test('a real photo: every file has the promised size, format, MIME and byte count', async () => {
  // 1600 px wide whichever set is in use (the fixture is 1200 px), EXIF and ICC kept so the
  // no-metadata check below has metadata to catch.
  const src = await sharp(photo('26_')).resize(1600).keepMetadata().jpeg({ quality: 90 }).toBuffer();
  expect((await sharp(src).metadata()).exif).toBeDefined();
  const set = await renditions(src);
  expect(set.width).toBe(1600);
  expect(set.height).toBe(1068);
  expect(set.hasAlpha).toBe(false);
  const got = set.renditions.map((r) => `${r.width}:${r.format}`);
  expect(got).toEqual(['320:avif', '320:webp', '320:jpeg', '640:avif', '640:webp', '640:jpeg', '960:avif', '960:webp', '960:jpeg', '1280:webp', '1280:jpeg']);
  for (const r of set.renditions) {
    const meta = await sharp(r.buffer).metadata();
    expect(meta.width).toBe(r.width);
    expect(meta.height).toBe(r.height);
    expect(r.width).toBeLessThanOrEqual(1600);
    expect(r.bytes).toBe(r.buffer.length);
    expect(r.mime).toBe(`image/${r.format}`);
    expect(meta.format === 'heif' ? 'avif' : meta.format).toBe(r.format);
    expect(meta.exif).toBeUndefined(); // no metadata leaks to the storefront
  }
  // WebP and AVIF are smaller than the JPEG fallback at the same width.
  const at = (w: number, f: string) => set.renditions.find((r) => r.width === w && r.format === f)!.bytes;
  expect(at(640, 'webp')).toBeLessThan(at(640, 'jpeg'));
  expect(at(640, 'avif')).toBeLessThan(at(640, 'jpeg'));
});

test('thumbhash: a tiny base64 placeholder with the aspect ratio of the source', async () => {
  const set = await renditions(photo('23_'), { widths: [320] }); // 925x617
  const bytes = Buffer.from(set.thumbhash, 'base64');
  expect(bytes.length).toBeGreaterThan(5);
  expect(bytes.length).toBeLessThanOrEqual(40);
  const info = describeThumbHash(set.thumbhash);
  expect(info.aspect).toBeCloseTo(925 / 617, 0);
  expect(info.a).toBe(1);
});

test('transparency: kept in WebP/AVIF and the ThumbHash, flattened for JPEG', async () => {
  const set = await renditions(await cutoutFixture(), { widths: [320, 640] });
  expect(set.hasAlpha).toBe(true);
  expect(describeThumbHash(set.thumbhash).a).toBeLessThan(1);
  for (const r of set.renditions) {
    const meta = await sharp(r.buffer).metadata();
    expect(meta.hasAlpha).toBe(r.format !== 'jpeg');
  }
  const jpeg = set.renditions.find((r) => r.format === 'jpeg' && r.width === 320)!;
  const corner = await sharp(jpeg.buffer).extract({ left: 0, top: 0, width: 4, height: 4 }).raw().toBuffer();
  expect(Math.min(...corner)).toBeGreaterThanOrEqual(250); // flattened on white
});

test('focal point: centre of the product by default, or the one given', async () => {
  const set = await renditions(await cutoutFixture(), { widths: [320] });
  expect(set.focalPoint.x).toBeCloseTo(75, -1); // 900 / 1200
  expect(set.focalPoint.y).toBeCloseTo(31.25, -1); // 250 / 800
  const given = await renditions(await cutoutFixture(), { widths: [320], focalPoint: { x: 10, y: 90 } });
  expect(given.focalPoint).toEqual({ x: 10, y: 90 });
  await expect(renditions(await cutoutFixture(), { widths: [320], focalPoint: { x: 120, y: 5 } })).rejects.toThrow(/percent/);
});

test('a product photo on a plain backdrop gets its focal point on the product, not the frame centre', async () => {
  // Photo 23: the bracelet sits right of centre and below the middle.
  const set = await renditions(photo('23_'), { widths: [320] });
  expect(set.focalPoint.x).toBeGreaterThan(40);
  expect(set.focalPoint.x).toBeLessThan(60);
  expect(set.focalPoint.y).toBeGreaterThan(50);
});

test('small sources are never upscaled; EXIF-free raw input (decoded once) gives the same result', async () => {
  const src = await sharp(photo('04_')).resize(240).jpeg().toBuffer();
  const set = await renditions(src);
  expect(set.renditions.map((r) => r.width)).toEqual([240, 240, 240]);
  const decoded = await decodeOnce(src);
  const again = await renditions(decoded);
  expect(again.renditions.map((r) => [r.width, r.height, r.format])).toEqual(set.renditions.map((r) => [r.width, r.height, r.format]));
  expect(again.thumbhash).toBe(set.thumbhash);
});
