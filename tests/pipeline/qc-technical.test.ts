/**
 * Technical and channel QC checks: shape, statuses, thresholds and editor-readable messages.
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { describeIcc, technicalQc, SHARPNESS } from '../../plugins/product-gallery/server/src/pipeline/qc-technical';
import { parseAspect } from '../../plugins/product-gallery/server/src/pipeline/frames';
import { summarizeQc, type QcCheck } from '../../plugins/product-gallery/server/src/pipeline/qc';
import { NEGATIVES_DIR, positivePhotos } from '../support/photos';

const photo = (prefix: string) => fs.readFileSync(positivePhotos().find((p) => p.filename.startsWith(prefix))!.path);
const get = (checks: QcCheck[], id: string) => {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

/** A white square frame with a dark product whose long side is `fill` of the frame. */
async function productOnWhite(size: number, fill: number, opts: { format?: 'jpeg' | 'png'; borderPixel?: boolean } = {}): Promise<Buffer> {
  const p = Math.round(size * fill);
  const product = await sharp(photo('26_')).resize(p, Math.round(p * 0.6), { fit: 'cover' }).toBuffer();
  let img = sharp({ create: { width: size, height: size, channels: 3, background: '#ffffff' } }).composite([
    { input: product, left: Math.round((size - p) / 2), top: Math.round((size - p * 0.6) / 2) },
    ...(opts.borderPixel ? [{ input: { create: { width: 1, height: 1, channels: 3 as const, background: { r: 254, g: 255, b: 255 } } }, left: 0, top: 0 }] : []),
  ]);
  img = opts.format === 'png' ? img.png() : img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
  return img.toBuffer();
}

test('every check has the shared shape and an editor-readable message', async () => {
  const checks = await technicalQc(photo('26_'), { role: 'clean', minLongEdge: 1000, aspect: '3:2' });
  expect(checks.map((c) => c.id)).toEqual(['tech.resolution', 'tech.aspect', 'tech.format', 'tech.filesize', 'tech.srgb', 'tech.blank', 'tech.sharpness']);
  for (const c of checks) {
    expect(['pass', 'warn', 'fail']).toContain(c.status);
    expect(c.message.length).toBeGreaterThan(10);
    expect(c.message).not.toMatch(/undefined|NaN/);
  }
  expect(summarizeQc(checks)).toBe('pass');
});

test('summarizeQc: worst status wins', () => {
  const c = (status: QcCheck['status']): QcCheck => ({ id: 'x', status, value: null, threshold: null, message: 'm' });
  expect(summarizeQc([])).toBe('pass');
  expect(summarizeQc([c('pass'), c('warn')])).toBe('warn');
  expect(summarizeQc([c('warn'), c('fail'), c('pass')])).toBe('fail');
});

test('resolution: the role minimum fails, a channel recommendation warns, a channel maximum fails', async () => {
  const small = photo('01_'); // 540x544
  expect(get(await technicalQc(small, { role: 'clean', minLongEdge: 1000 }), 'tech.resolution')).toMatchObject({ status: 'fail', value: 544, threshold: 1000 });
  const r = get(await technicalQc(small, { role: 'clean', minLongEdge: 500, channel: 'amazon-main' }), 'tech.resolution');
  expect(r).toMatchObject({ status: 'warn', threshold: 1000 });
  expect(r.message).toMatch(/zoom/);
  const big = await sharp(photo('26_')).resize(2400).jpeg().toBuffer();
  expect(get(await technicalQc(big, { role: 'clean', channel: 'amazon-main' }), 'tech.resolution')).toMatchObject({ status: 'fail', threshold: 2100 });
  expect(get(await technicalQc(big, { role: 'clean', channel: 'etsy' }), 'tech.resolution').status).toBe('warn'); // short side 1602 < 2000
});

test('aspect: small tolerance passes, a few percent warns, a different ratio fails', async () => {
  const make = (w: number, h: number) => sharp(photo('26_')).resize(w, h, { fit: 'cover' }).jpeg().toBuffer();
  expect(get(await technicalQc(await make(1200, 1200), { role: 'clean', aspect: '1:1' }), 'tech.aspect').status).toBe('pass');
  expect(get(await technicalQc(await make(1200, 1205), { role: 'clean', aspect: 1 }), 'tech.aspect').status).toBe('pass');
  expect(get(await technicalQc(await make(1200, 1240), { role: 'clean', aspect: '1:1' }), 'tech.aspect').status).toBe('warn');
  const f = get(await technicalQc(await make(1200, 1200), { role: 'clean', aspect: '4:5' }), 'tech.aspect');
  expect(f).toMatchObject({ status: 'fail', value: 1, threshold: 0.8 });
  expect(f.message).toMatch(/4:5/);
  // A channel with a fixed aspect wins over the brief.
  expect(get(await technicalQc(await make(1000, 1500), { role: 'clean', aspect: '1:1', channel: 'pinterest' }), 'tech.aspect').status).toBe('pass');
  expect(parseAspect('16:9')).toBeCloseTo(16 / 9);
  expect(() => parseAspect('wide')).toThrow();
});

test('format and file size: channel formats, extension must match, caps', async () => {
  const png = await productOnWhite(1200, 0.9, { format: 'png' });
  expect(get(await technicalQc(png, { role: 'clean', channel: 'amazon-main' }), 'tech.format')).toMatchObject({ status: 'fail', value: 'png' });
  const webp = await sharp(photo('26_')).webp().toBuffer();
  expect(get(await technicalQc(webp, { role: 'clean', channel: 'email' }), 'tech.format').status).toBe('fail');
  expect(get(await technicalQc(webp, { role: 'clean', channel: 'google', filename: 'SKU1.jpg' }), 'tech.format').status).toBe('fail');
  expect(get(await technicalQc(webp, { role: 'clean', channel: 'google', filename: 'SKU1.webp' }), 'tech.format').status).toBe('pass');
  const jpg = photo('26_');
  expect(get(await technicalQc(jpg, { role: 'clean', maxBytes: 50_000 }), 'tech.filesize')).toMatchObject({ status: 'fail', value: jpg.length, threshold: 50_000 });
  expect(get(await technicalQc(jpg, { role: 'clean', maxBytes: 5_000_000 }), 'tech.filesize').status).toBe('pass');
});

test('sRGB: CMYK fails, a tagged sRGB profile passes', async () => {
  const cmyk = await sharp(photo('23_')).toColourspace('cmyk').jpeg().toBuffer();
  const c = get(await technicalQc(cmyk, { role: 'clean', minLongEdge: 500 }), 'tech.srgb');
  expect(c).toMatchObject({ status: 'fail', value: 'cmyk' });
  expect(c.message).toMatch(/CMYK/);
  const tagged = await sharp(photo('23_')).withIccProfile('srgb').jpeg().toBuffer();
  expect(get(await technicalQc(tagged, { role: 'clean', minLongEdge: 500 }), 'tech.srgb').status).toBe('pass');
  expect(describeIcc((await sharp(tagged).metadata()).icc)?.space).toBe('RGB');
});

test('blank: a flat image and a fully transparent one fail', async () => {
  const white = fs.readFileSync(path.join(NEGATIVES_DIR, 'n01_blank_white_1024.png'));
  expect(get(await technicalQc(white, { role: 'clean' }), 'tech.blank').status).toBe('fail');
  const clear = fs.readFileSync(path.join(NEGATIVES_DIR, 'n02_blank_fully-transparent_512.png'));
  const b = get(await technicalQc(clear, { role: 'clean' }), 'tech.blank');
  expect(b.status).toBe('fail');
  expect(b.message).toMatch(/transparent/);
  expect(get(await technicalQc(photo('07_'), { role: 'clean' }), 'tech.blank').status).toBe('pass'); // white pearls on white marble
});

test('sharpness: a sharp product photo passes, a blurred copy warns then fails', async () => {
  const src = photo('26_');
  const sharpC = get(await technicalQc(src, { role: 'clean' }), 'tech.sharpness');
  expect(sharpC.status).toBe('pass');
  // Blur radii expressed at the 512 px normalized scale (x3.125 on the full set's 1600 px photo).
  const { width, height } = await sharp(src).metadata();
  const blurred = async (sigma512: number) => sharp(src).blur(sigma512 * (Math.max(width!, height!) / SHARPNESS.normalizedEdge)).jpeg({ quality: 95 }).toBuffer();
  const soft = get(await technicalQc(await blurred(1.5), { role: 'clean' }), 'tech.sharpness');
  const blurry = get(await technicalQc(await blurred(4), { role: 'clean' }), 'tech.sharpness');
  expect(soft.value as number).toBeLessThan(sharpC.value as number);
  expect(['warn', 'fail']).toContain(soft.status);
  expect(blurry.status).toBe('fail');
  expect(blurry.message).toMatch(/blurry/);
});

test('channel.white-background: exact 255 on every border pixel; the share of misses is reported', async () => {
  const ok = get(await technicalQc(await productOnWhite(1500, 0.9), { role: 'clean', channel: 'amazon-main' }), 'channel.white-background');
  expect(ok).toMatchObject({ status: 'pass', value: 0 });
  const one = get(await technicalQc(await productOnWhite(1500, 0.9, { format: 'png', borderPixel: true }), { role: 'clean', channel: 'amazon-main' }), 'channel.white-background');
  expect(one.status).toBe('fail');
  expect(one.value as number).toBeGreaterThan(0);
  expect(one.value as number).toBeLessThan(0.01);
  const marble = get(await technicalQc(await sharp(photo('26_')).resize(1500).jpeg().toBuffer(), { role: 'clean', channel: 'amazon-main' }), 'channel.white-background');
  expect(marble.status).toBe('fail');
  expect(marble.value as number).toBeGreaterThan(0.5);
  expect(marble.message).toMatch(/255/);
});

test('channel.fill: product bounding box long side / frame long side vs 80% (fail) and 85% (warn)', async () => {
  const at = async (fill: number) => get(await technicalQc(await productOnWhite(1500, fill), { role: 'clean', channel: 'amazon-main' }), 'channel.fill');
  const low = await at(0.7);
  expect(low.status).toBe('fail');
  expect(low.value as number).toBeCloseTo(0.7, 1);
  expect(low.threshold).toBe(0.8);
  expect((await at(0.82)).status).toBe('warn');
  expect((await at(0.92)).status).toBe('pass');
  // Non-Amazon channels do not get the Amazon checks.
  const shopify = await technicalQc(await productOnWhite(2048, 0.5), { role: 'clean', channel: 'shopify' });
  expect(shopify.map((c) => c.id)).not.toContain('channel.fill');
});
