/**
 * Channel presets and one file per channel that meets that channel's rules; delivery pack.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import {
  CHANNEL_IDS,
  CHANNEL_PRESETS,
  channelRenditions,
  type ChannelId,
} from '../../plugins/product-gallery/server/src/pipeline/channels';
import { deliveryPack } from '../../plugins/product-gallery/server/src/pipeline/delivery';
import { fileExtensionFor } from '../../plugins/product-gallery/server/src/pipeline/formats';
import { technicalQc } from '../../plugins/product-gallery/server/src/pipeline/qc-technical';
import { summarizeQc } from '../../plugins/product-gallery/server/src/pipeline/qc';
import { positivePhotos } from '../support/photos';

const photo = (prefix: string) => fs.readFileSync(positivePhotos().find((p) => p.filename.startsWith(prefix))!.path);

/** A 3000x2400 cut-out: a real photo of a pendant masked to an ellipse, on full transparency. */
async function cutout3000(): Promise<Buffer> {
  const product = await sharp(photo('04_')).resize(1400, 1200, { fit: 'cover' }).toBuffer();
  const mask = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="1200"><ellipse cx="700" cy="600" rx="690" ry="590" fill="#fff"/></svg>`);
  const masked = await sharp(product).ensureAlpha().composite([{ input: mask, blend: 'dest-in' }]).png().toBuffer();
  return sharp({ create: { width: 3000, height: 2400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: masked, left: 900, top: 500 }])
    .png()
    .toBuffer();
}

let cutout: Buffer;
beforeAll(async () => {
  cutout = await cutout3000();
});

test('presets cover the eight channels with the reference rules', () => {
  expect([...CHANNEL_IDS].sort()).toEqual(['amazon-additional', 'amazon-main', 'email', 'etsy', 'google', 'meta', 'pinterest', 'shopify']);
  const a = CHANNEL_PRESETS['amazon-main'];
  expect(a.format).toBe('jpeg');
  expect(a.maxLongEdge).toBe(2100);
  expect(a.recommendedMinLongEdge).toBe(1000);
  expect(a.background).toBe('white-required');
  expect(a.minFill).toBe(0.8);
  expect(CHANNEL_PRESETS.etsy.recommendedMinShortEdge).toBe(2000);
  expect(CHANNEL_PRESETS.etsy.recommendedMaxBytes).toBe(1024 * 1024);
  expect(CHANNEL_PRESETS.shopify.fit).toEqual({ mode: 'pad', width: 2048, height: 2048 });
  expect(CHANNEL_PRESETS.google.maxBytes).toBe(16 * 1024 * 1024);
  expect(CHANNEL_PRESETS.pinterest.aspect).toBeCloseTo(2 / 3);
  expect(CHANNEL_PRESETS.email.acceptedFormats).not.toContain('webp');
  expect(CHANNEL_PRESETS.email.acceptedFormats).not.toContain('avif');
  for (const p of Object.values(CHANNEL_PRESETS)) expect(p.colorSpace).toBe('srgb');
});

test('fileExtensionFor matches the real format', () => {
  expect(fileExtensionFor('jpeg')).toBe('jpg');
  expect(fileExtensionFor('png')).toBe('png');
  expect(fileExtensionFor('webp')).toBe('webp');
  expect(fileExtensionFor('avif')).toBe('avif');
  expect(() => fileExtensionFor('bmp')).toThrow();
});

test('every channel file from a 3000 px cut-out meets its channel rules (QC has no fail)', async () => {
  const outs = await channelRenditions(cutout, CHANNEL_IDS);
  const by = Object.fromEntries(outs.map((o) => [o.channel, o])) as Record<ChannelId, (typeof outs)[number]>;
  // Square, inside Amazon's 1000..2100 px window; the 1400 px product is not enlarged to fill 2000 px.
  expect(by['amazon-main'].width).toBe(by['amazon-main'].height);
  expect(by['amazon-main'].width).toBeGreaterThanOrEqual(1000);
  expect(by['amazon-main'].width).toBeLessThanOrEqual(2100);
  expect(by['amazon-main'].fill).toBeCloseTo(0.9, 1);
  expect(Math.max(by['amazon-additional'].width, by['amazon-additional'].height)).toBe(2000);
  expect(Math.min(by.etsy.width, by.etsy.height)).toBe(2000);
  expect(by.etsy.bytes).toBeLessThanOrEqual(1024 * 1024);
  expect([by.shopify.width, by.shopify.height]).toEqual([2048, 2048]);
  expect(Math.min(by.google.width, by.google.height)).toBeGreaterThanOrEqual(1500);
  expect([by.meta.width, by.meta.height]).toEqual([1080, 1080]);
  expect([by.pinterest.width, by.pinterest.height]).toEqual([1000, 1500]);
  expect(by.email.width).toBe(1200);
  expect(by.email.bytes).toBeLessThanOrEqual(1024 * 1024);
  for (const o of outs) {
    const meta = await sharp(o.buffer).metadata();
    expect(meta.format).toBe('jpeg');
    expect(o.extension).toBe('jpg');
    expect([meta.width, meta.height]).toEqual([o.width, o.height]);
    expect(meta.space).toBe('srgb');
    expect(o.upscaled).toBe(false);
    expect(o.meetsRules).toBe(true);
    const checks = await technicalQc(o.buffer, { role: 'clean', channel: o.channel, minLongEdge: 1000 });
    const failed = checks.filter((c) => c.status !== 'pass');
    expect({ channel: o.channel, failed }).toEqual({ channel: o.channel, failed: [] });
  }
});

test('amazon main from a cut-out: pure white edges and the product framed at >= 85%', async () => {
  const [main] = await channelRenditions(cutout, ['amazon-main']);
  const checks = await technicalQc(main.buffer, { role: 'clean', channel: 'amazon-main' });
  const get = (id: string) => checks.find((c) => c.id === id)!;
  expect(get('channel.white-background')).toMatchObject({ status: 'pass', value: 0 });
  expect(get('channel.fill').status).toBe('pass');
  expect(get('channel.fill').value as number).toBeGreaterThanOrEqual(0.85);
  expect(summarizeQc(checks)).toBe('pass');
});

test('amazon main from a photo on marble is produced but honestly fails the white-background rule', async () => {
  const [main] = await channelRenditions(photo('26_'), ['amazon-main']);
  const checks = await technicalQc(main.buffer, { role: 'clean', channel: 'amazon-main', minLongEdge: 1000 });
  expect(checks.find((c) => c.id === 'channel.white-background')!.status).toBe('fail');
});

test('small sources are enlarged only up to the channel minimum, and say so', async () => {
  const outs = await channelRenditions(photo('01_'), ['amazon-main', 'etsy', 'email']); // 540x544
  const [main, etsy, email] = outs;
  expect(Math.max(main.width, main.height)).toBe(1000); // zoom minimum
  expect(main.upscaled).toBe(true);
  expect(main.notes.join(' ')).toMatch(/enlarged/);
  expect(etsy.upscaled).toBe(false); // Etsy's 2000 px is a recommendation: not invented
  expect(email.width).toBe(600); // 600 px template width at least
});

test('CMYK sources are converted to sRGB', async () => {
  const cmyk = await sharp(photo('23_')).toColourspace('cmyk').jpeg().toBuffer();
  expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
  const [out] = await channelRenditions(cmyk, ['meta']);
  expect((await sharp(out.buffer).metadata()).space).toBe('srgb');
  const checks = await technicalQc(out.buffer, { role: 'clean', channel: 'meta', minLongEdge: 500 });
  expect(checks.find((c) => c.id === 'tech.srgb')!.status).toBe('pass');
});

test('the file-size cap holds: quality is stepped down until it fits', async () => {
  // Fine noise compresses badly: at the starting quality the email file is far above 1 MB.
  const pixels = Buffer.alloc(1200 * 2000 * 3);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const noise = await sharp(pixels, { raw: { width: 1200, height: 2000, channels: 3 } }).png().toBuffer();
  const [email] = await channelRenditions(noise, ['email']);
  expect(email.bytes).toBeLessThanOrEqual(1024 * 1024);
  expect(email.quality < CHANNEL_PRESETS.email.quality || email.width < 1200).toBe(true);
  expect(email.notes.length).toBeGreaterThan(0);
});

test('padding uses the given background where the channel allows one, never on Amazon main', async () => {
  const src = await sharp(photo('23_')).resize(1500).toBuffer(); // 1500x1000 on a light grey backdrop
  const [pin, main] = await channelRenditions(src, ['pinterest', 'amazon-main'], { background: '#ff0000' });
  const top = await sharp(pin.buffer).extract({ left: 500, top: 2, width: 1, height: 1 }).raw().toBuffer();
  expect(top[0]).toBeGreaterThan(200);
  expect(top[1]).toBeLessThan(60);
  const corner = await sharp(main.buffer).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer();
  expect(corner[1]).toBeGreaterThan(150); // not red
});

test('deliveryPack: renditions + every channel from one decode', async () => {
  const pack = await deliveryPack(cutout);
  expect(pack.width).toBe(3000);
  expect(pack.hasAlpha).toBe(true);
  expect(pack.renditions.length).toBe(13); // 5 widths x (webp, jpeg) + 3 AVIF
  expect(pack.channels.map((c) => c.channel)).toEqual([...CHANNEL_IDS]);
  expect(pack.focalPoint.x).toBeCloseTo(((900 + 700) / 3000) * 100, -1);
  expect(pack.timings.totalMs).toBeGreaterThan(0);
});
