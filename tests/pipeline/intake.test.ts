import * as fs from 'fs';
import sharp from 'sharp';
import { intake, isPipelineError, PipelineError, INTAKE_DEFAULTS } from '../../plugins/product-gallery/server/src/pipeline';
import { negativePhotos, positivePhotos } from '../support/photos';

async function refusal(bytes: Buffer, opts = {}): Promise<PipelineError> {
  try {
    await intake(bytes, opts);
  } catch (err) {
    if (isPipelineError(err)) return err as PipelineError;
    throw err;
  }
  throw new Error('expected intake to refuse the file');
}

async function jpeg(w = 800, h = 600): Promise<Buffer> {
  // a gradient with a dark disc, so it is neither blank nor trivially uniform
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#eeeeee"/><circle cx="${w / 2}" cy="${h / 2}" r="${h / 4}" fill="#b08d57"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

describe('intake: every positive photo', () => {
  for (const p of positivePhotos()) {
    it(`accepts ${p.filename}`, async () => {
      const bytes = fs.readFileSync(p.path);
      const copy = Buffer.from(bytes);
      const r = await intake(bytes);
      expect(bytes.equals(copy)).toBe(true); // original never modified
      expect(r.width).toBe(p.width);
      expect(r.height).toBe(p.height);
      expect(r.working.data.length).toBe(r.width * r.height * 4);
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.mime).toMatch(/^image\//);
      expect(['jpeg', 'png', 'webp']).toContain(r.format);
    });
  }
});

describe('intake: negatives are refused with their own code', () => {
  const expected: Record<string, string | null> = {
    n01: 'blank',
    n02: 'transparent',
    n03: 'too_small',
    n04: 'corrupt',
    n09: 'too_small',
    n06: null, // decodes: flagged later by the cutout
    n07: null,
  };
  for (const p of negativePhotos()) {
    const key = p.filename.replace(/^negatives\//, '').slice(0, 3);
    it(`${p.filename} -> ${expected[key] ?? 'accepted (flagged by cutout)'}`, async () => {
      const bytes = fs.readFileSync(p.path);
      if (expected[key]) {
        const err = await refusal(bytes);
        expect(err.code).toBe(expected[key]);
        expect(err.status).toBe(422);
        expect(err.message.length).toBeGreaterThan(20);
      } else {
        await expect(intake(bytes)).resolves.toBeDefined();
      }
    });
  }
});

describe('intake: non-raster and polyglot bytes are refused with 415', () => {
  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ['svg', async () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"><rect width="900" height="900" fill="red"/></svg>'), /SVG/],
    ['bare svg', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), /SVG/],
    ['pdf', async () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), /PDF/],
    ['html', async () => Buffer.from('<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>'), /web page/],
    ['zip', async () => zipBytes(), /archive/i],
    ['jpeg+zip polyglot', async () => Buffer.concat([await jpeg(), zipBytes()]), /ZIP/],
    ['jpeg+html polyglot', async () => Buffer.concat([await jpeg(), Buffer.from('<html><script>fetch("/admin")</script></html>')]), /script|web-page/],
    ['png+script in a text chunk', async () => pngWithText(await sharp(await jpeg()).png().toBuffer(), '<script>alert(1)</script>'), /script|web-page/],
    ['gif', async () => sharp(await jpeg()).gif().toBuffer(), /GIF/],
    ['random bytes', async () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), /not a recognizable image|not a photo/],
  ];
  for (const [name, make, re] of cases) {
    it(name, async () => {
      const err = await refusal(await make());
      expect(err.code).toBe('unsupported_format');
      expect(err.status).toBe(415);
      expect(err.message).toMatch(re);
      expect(err.message).toMatch(/Upload a/);
    });
  }
});

describe('intake: limits, normalisation', () => {
  it('too many bytes -> 413', async () => {
    const err = await refusal(await jpeg(), { maxBytes: 1000 });
    expect(err.code).toBe('too_many_bytes');
    expect(err.status).toBe(413);
  });
  it('too many pixels -> 413', async () => {
    const err = await refusal(await jpeg(800, 600), { maxPixels: 400_000 });
    expect(err.code).toBe('too_many_pixels');
    expect(err.status).toBe(413);
  });
  it('defaults', () => {
    expect(INTAKE_DEFAULTS).toEqual({ maxBytes: 25 * 1024 * 1024, maxPixels: 50_000_000, minShortSide: 500 });
  });
  it('too small is configurable', async () => {
    await expect(intake(await jpeg(800, 600), { minShortSide: 700 })).rejects.toMatchObject({ code: 'too_small', status: 422 });
  });
  it('applies EXIF orientation', async () => {
    const src = await sharp(await jpeg(800, 600)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const r = await intake(src);
    expect([r.width, r.height]).toEqual([600, 800]);
    expect(r.warnings.map((w) => w.code)).toContain('orientation_applied');
  });
  it('converts CMYK to sRGB', async () => {
    const cmyk = await sharp(await jpeg()).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const r = await intake(cmyk);
    expect(r.sourceSpace).toBe('cmyk');
    // the centre (the gold disc) stays gold-ish in RGB
    const i = ((r.height / 2) * r.width + r.width / 2) * 4;
    const [R, G, B] = [r.working.data[i], r.working.data[i + 1], r.working.data[i + 2]];
    expect(R).toBeGreaterThan(B + 30);
    expect(Math.abs(R - 0xb0)).toBeLessThan(40);
  });
  it('reduces 16-bit PNG to 8-bit sRGB and keeps alpha', async () => {
    const base = await sharp(await jpeg()).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const { width, height } = base.info;
    const px = Buffer.from(base.data);
    for (let y = 0; y < 50; y++) for (let x = 0; x < width; x++) px[(y * width + x) * 4 + 3] = 0; // transparent top band
    const png16 = await sharp(px, { raw: { width, height, channels: 4 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const r = await intake(png16);
    expect(r.sourceBitDepth).toBe(16);
    expect(r.hasAlpha).toBe(true);
    expect(r.working.data[3]).toBe(0);
    const c = ((height / 2) * width + width / 2) * 4;
    expect(r.working.data[c + 3]).toBe(255);
    expect(Math.abs(r.working.data[c] - 0xb0)).toBeLessThan(6);
  });
  it('a truncated copy of a good photo is corrupt, and the process stays up', async () => {
    const good = await jpeg(900, 900);
    const err = await refusal(good.subarray(0, Math.floor(good.length * 0.5)));
    expect(err.code).toBe('corrupt');
    await expect(intake(good)).resolves.toBeDefined();
  });
});

function zipBytes(): Buffer {
  // a minimal stored ZIP with one file "a.txt" = "hi"
  const name = Buffer.from('a.txt'), data = Buffer.from('hi');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 8);
  local.writeUInt32LE(0xd9be3d7a, 14); local.writeUInt32LE(2, 18); local.writeUInt32LE(2, 22); local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
  central.writeUInt32LE(0xd9be3d7a, 16); central.writeUInt32LE(2, 20); central.writeUInt32LE(2, 24); central.writeUInt16LE(name.length, 28);
  const localLen = 30 + name.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12); end.writeUInt32LE(localLen, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

function pngWithText(png: Buffer, text: string): Buffer {
  const body = Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.from(text, 'latin1')]);
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(0, 8 + body.length); // CRC not checked by our sniffing
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}
