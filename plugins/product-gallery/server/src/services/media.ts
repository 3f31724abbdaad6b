import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';

export interface StoredRendition {
  key: string;
  buffer: Buffer;
  width: number;
  height: number;
  format: string;
  mime: string;
}

export interface StoreImageInput {
  buffer: Buffer;
  name: string;
  mime: string;
  ext: string;
  width: number;
  height: number;
  alt?: string | null;
  caption?: string | null;
  renditions?: StoredRendition[];
}

const slugify = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60) || 'image';

const fileData = (base: string, buffer: Buffer, ext: string, mime: string, width: number, height: number, name: string) => ({
  name,
  hash: `${base}`,
  ext,
  mime,
  size: Math.round((buffer.length / 1024) * 100) / 100,
  sizeInBytes: buffer.length,
  width,
  height,
  buffer,
  getStream: () => {
    const { Readable } = require('node:stream');
    return Readable.from(buffer);
  },
  folderPath: '/',
});

/**
 * Images live in Strapi's Media Library through the configured upload provider, so any
 * provider works. Our delivery renditions are stored as the file's `formats`, which is where
 * Strapi keeps derived images: deleting the file in the Media Library deletes them too.
 */
const SOURCE_CACHE_BYTES = 64 * 1024 * 1024;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const upload = () => strapi.plugin('upload');
  const sources = new Map<string, Buffer>();
  let sourceBytes = 0;

  /** Uploads renditions of a stored file through the provider; returns them as Strapi `formats`. */
  const uploadRenditions = async (main: { hash: string; name: string }, renditions: StoredRendition[]) => {
    const provider = upload().service('provider');
    const formats: Record<string, any> = {};
    for (const r of renditions) {
      const ext = `.${r.format === 'jpeg' ? 'jpg' : r.format}`;
      const f: any = fileData(`${r.key}_${main.hash}`, r.buffer, ext, r.mime, r.width, r.height, `${r.key}_${main.name}`);
      await provider.upload(f);
      delete f.buffer;
      delete f.getStream;
      formats[r.key] = { ...f, path: null };
    }
    return formats;
  };

  const service = {
    async storeImage(input: StoreImageInput) {
      const base = `${slugify(input.name)}_${crypto.randomBytes(5).toString('hex')}`;
      const main: any = fileData(base, input.buffer, input.ext, input.mime, input.width, input.height, `${slugify(input.name)}${input.ext}`);
      main.alternativeText = input.alt ?? null;
      main.caption = input.caption ?? null;
      await upload().service('provider').upload(main);
      delete main.buffer;
      delete main.getStream;
      main.formats = await uploadRenditions(main, input.renditions ?? []);
      main.provider = strapi.config.get('plugin::upload.provider') ?? 'local';
      const file = await strapi.db.query('plugin::upload.file').create({ data: main });
      strapi.eventHub.emit('media.create', { media: file });
      return file;
    },

    /** Renditions made after the file was stored (a generated output is stored first, rendered after QC). */
    async addRenditions(fileId: number, renditions: StoredRendition[]) {
      const file = await strapi.db.query('plugin::upload.file').findOne({ where: { id: fileId } });
      if (!file) throw new Error(`Media Library file ${fileId} is gone.`);
      const formats = { ...(file.formats ?? {}), ...(await uploadRenditions(file, renditions)) };
      const updated = await strapi.db.query('plugin::upload.file').update({ where: { id: fileId }, data: { formats } });
      strapi.eventHub.emit('media.update', { media: updated });
      return updated;
    },

    /**
     * A source photo's bytes, kept in memory while it is used often (every shot of a product is
     * made from it). Keyed by URL: a Media Library file replaced in place gets a new hash and URL.
     */
    async readSource(file: { url: string; provider?: string }): Promise<Buffer> {
      const hit = sources.get(file.url);
      if (hit) {
        sources.delete(file.url);
        sources.set(file.url, hit);
        return hit;
      }
      const bytes = await service.readFile(file);
      sources.set(file.url, bytes);
      sourceBytes += bytes.length;
      for (const [url, b] of sources) {
        if (sourceBytes <= SOURCE_CACHE_BYTES || sources.size <= 1) break;
        sources.delete(url);
        sourceBytes -= b.length;
      }
      return bytes;
    },

    /** The bytes of a Media Library file, from local disk or the provider's URL. */
    async readFile(file: { url: string; provider?: string }): Promise<Buffer> {
      if (file.url.startsWith('/')) {
        const local = path.join(strapi.dirs.static.public, decodeURIComponent(file.url.split('?')[0]));
        return fs.readFile(local);
      }
      const res = await fetch(file.url);
      if (!res.ok) throw new Error(`Could not read ${file.url}: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },

    async findFile(id: number) {
      return strapi.db.query('plugin::upload.file').findOne({ where: { id } });
    },
  };
  return service;
};
