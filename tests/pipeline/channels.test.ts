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

describe('fixed-aspect frames crop around the focal point instead of adding bands', () => {
  /** The on-model photo (3:2) extended to 16:9 with its own mirrored edges: no plain border anywhere. */
  const wide169 = async () => {
    const { width, height } = await sharp(photo('54_')).metadata();
    const side = Math.round((height! * 16) / 9 - width!) / 2;
    return sharp(photo('54_')).extend({ left: Math.floor(side), right: Math.ceil(side), extendWith: 'mirror' }).jpeg({ quality: 95 }).toBuffer();
  };
  const raw = async (buf: Buffer) => sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  /** Spread of one row or column of an RGB raw image: 0 for a band of padding colour. */
  const spread = (data: Buffer, w: number, h: number, line: 'top' | 'bottom' | 'left' | 'right') => {
    const vals: number[] = [];
    const n = line === 'top' || line === 'bottom' ? w : h;
    for (let i = 0; i < n; i++) {
      const [x, y] = line === 'top' ? [i, 0] : line === 'bottom' ? [i, h - 1] : line === 'left' ? [0, i] : [w - 1, i];
      const p = (y * w + x) * 3;
      vals.push(data[p] + data[p + 1] + data[p + 2]);
    }
    return Math.max(...vals) - Math.min(...vals);
  };

  test('square and 2:3 from a 16:9 photo: no bands, the focal region is kept', async () => {
    const src = await wide169();
    const { width: W = 0, height: H = 0 } = await sharp(src).metadata();
    expect(W / H).toBeCloseTo(16 / 9, 2);
    const focal = { x: 30, y: 50 };
    const outs = await channelRenditions(src, ['shopify', 'meta', 'pinterest'], { focalPoint: focal });
    for (const o of outs) {
      const { data, info } = await raw(o.buffer);
      expect({ channel: o.channel, framing: o.framing }).toEqual({ channel: o.channel, framing: 'crop' });
      // Every edge of the file is photo, not a band of one colour.
      for (const line of ['top', 'bottom', 'left', 'right'] as const) {
        expect({ channel: o.channel, line, spread: spread(data, info.width, info.height, line) > 60 }).toEqual({ channel: o.channel, line, spread: true });
      }
      // The full height is kept (the frame is narrower than 16:9): find the source's focal patch in the
      // file by sliding it along x at the file's scale; it must be there, nearly pixel for pixel.
      const scale = info.height / H;
      const patch = 160;
      const fx = Math.round((focal.x / 100) * W - patch / 2);
      const fy = Math.round((focal.y / 100) * H - patch / 2);
      const size = Math.round(patch * scale);
      const want = await sharp(src).extract({ left: fx, top: fy, width: patch, height: patch }).resize(size, size).removeAlpha().raw().toBuffer();
      const top = Math.round(fy * scale);
      let best = Infinity;
      for (let x = 0; x + size <= info.width; x += 2) {
        let d = 0;
        for (let y = 0; y < size; y += 4) for (let i = 0; i < size; i += 4) for (let c = 0; c < 3; c++) d += Math.abs(data[((top + y) * info.width + x + i) * 3 + c] - want[(y * size + i) * 3 + c]);
        best = Math.min(best, d / (Math.ceil(size / 4) ** 2 * 3));
      }
      expect({ channel: o.channel, found: best < 12 }).toEqual({ channel: o.channel, found: true });
    }
  });

  test('the crop moves to keep the product box inside, and pads (saying so) when the product cannot fit', async () => {
    // A pendant on its own plain backdrop, placed right of centre on a 16:9 canvas of that backdrop.
    const pendant = await sharp(photo('04_')).resize(300).toBuffer();
    const [bg] = await sharp(pendant).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer().then((b) => [{ r: b[0], g: b[1], b: b[2] }]);
    const scene = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: bg } })
      .composite([{ input: pendant, left: 1500, top: 400 }])
      .jpeg({ quality: 95 })
      .toBuffer();
    // The editor's focal point on the far left would cut the pendant out: the crop keeps it.
    const [meta] = await channelRenditions(scene, ['meta'], { focalPoint: { x: 10, y: 50 } });
    expect(meta.framing).toBe('crop');
    const { productBox } = require('../../plugins/product-gallery/server/src/pipeline/product-box');
    const { decodeOnce } = require('../../plugins/product-gallery/server/src/pipeline/decode');
    const box = await productBox(await decodeOnce(meta.buffer));
    expect(box.method).toBe('background');
    expect(box.x).toBeGreaterThan(0);
    expect(box.x + box.width).toBeLessThan(meta.width);
    // The crop is not scaled (1080 px of the 1920x1080 photo): the pendant is there at its full size.
    const source = await productBox(await decodeOnce(scene));
    expect(box.width).toBeGreaterThanOrEqual(source.width - 4);
    expect(box.height).toBeGreaterThanOrEqual(source.height - 4);

    // A pair laid out wider than the square crop of the photo can hold: padded on the backdrop, and noted.
    const pair = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: bg } })
      .composite([
        { input: pendant, left: 200, top: 400 },
        { input: pendant, left: 1400, top: 400 },
      ])
      .jpeg({ quality: 95 })
      .toBuffer();
    const [square] = await channelRenditions(pair, ['meta'], { focalPoint: { x: 50, y: 50 } });
    expect(square.framing).toBe('pad');
    expect(square.notes.join(' ')).toMatch(/padded instead of cropped so the product is not cut/);
  });

  test('Amazon main keeps the whole product padded on white, never cropped', async () => {
    const src = await wide169();
    const [main] = await channelRenditions(src, ['amazon-main'], { focalPoint: { x: 30, y: 50 } });
    expect(main.framing).not.toBe('crop');
    expect(main.width).toBe(main.height);
  });
});
