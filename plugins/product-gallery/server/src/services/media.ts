import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { sanitize } from '@strapi/utils';
import { httpStatusError, unprocessable } from '../utils/errors';
import { getConfig } from '../utils/get-service';
import { readCapped, TooLargeError } from '../utils/read-capped';

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
 * Not through the upload service's `upload()`: it takes only files on disk, re-encodes them at
 * quality 80 without their metadata when the Media Library's size optimization is on (that would
 * drop the source labels), always adds a thumbnail and, with responsive dimensions on, its own
 * formats, and exposes no call that persists a file with formats it did not make.
 */
const SOURCE_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * Reading a stored file back: nothing the plugin stores is this large (imports and outputs are
 * held to the pipeline's 25 MB, renditions are smaller), so a larger one is refused, not read.
 */
const STORED_FILE_MAX_BYTES = 64 * 1024 * 1024;

const tooLarge = (url: string) => unprocessable(`The Media Library file ${url} is larger than ${STORED_FILE_MAX_BYTES / 1024 / 1024} MB; it was not read.`);

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const upload = () => strapi.plugin('upload');
  const sources = new Map<string, Buffer>();
  let sourceBytes = 0;

  /**
   * A local file's URL names a path under the upload folder, but it is made from a file name a
   * person chose: once decoded, `%2F%2E%2E` segments would walk out of it (to the app's `.env`).
   * The path is resolved, then its real path (symlinks followed) must still be inside the folder.
   */
  const readLocal = async (url: string): Promise<Buffer> => {
    const uploads = path.resolve(strapi.dirs.static.public, 'uploads');
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.split('?')[0]!);
    } catch {
      throw unprocessable(`The Media Library file ${url} has a malformed address; it was not read.`);
    }
    const outside = () => unprocessable(`The Media Library file ${url} points outside the upload folder; it was not read.`);
    const candidate = path.resolve(strapi.dirs.static.public, `.${decoded}`);
    if (!candidate.startsWith(uploads + path.sep)) throw outside();
    let real: string;
    try {
      const root = await fs.realpath(uploads);
      real = await fs.realpath(candidate);
      if (!real.startsWith(root + path.sep)) throw outside();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw unprocessable(`The Media Library file ${url} is missing from the upload folder.`);
      throw error;
    }
    const { size } = await fs.stat(real);
    if (size > STORED_FILE_MAX_BYTES) throw tooLarge(url);
    return fs.readFile(real);
  };

  /** A provider's file over HTTP: the provider's own URL (configuration, so loopback is fine), with a deadline and a byte cap. */
  const readRemote = async (url: string): Promise<Buffer> => {
    // Signed URLs carry credentials in their query: errors name the file without it.
    const shown = url.split('?')[0];
    const timeoutMs = getConfig(strapi).pipeline.storedReadTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const timedOut = () => httpStatusError(504, `The upload provider did not deliver ${shown} within ${timeoutMs / 1000} s.`);
    let res: Response;
    try {
      res = await fetch(url, { signal });
    } catch (error) {
      if (signal.aborted) throw timedOut();
      throw httpStatusError(502, `The upload provider could not be reached for ${shown} (${(error as Error).message}).`);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw httpStatusError(502, `The upload provider answered HTTP ${res.status} for ${shown}.`);
    }
    if (Number(res.headers.get('content-length') ?? 0) > STORED_FILE_MAX_BYTES) {
      await res.body.cancel().catch(() => undefined);
      throw tooLarge(shown!);
    }
    try {
      return await readCapped(res.body as unknown as AsyncIterable<Uint8Array>, STORED_FILE_MAX_BYTES);
    } catch (error) {
      if (error instanceof TooLargeError) throw tooLarge(shown!);
      if (signal.aborted) throw timedOut();
      throw httpStatusError(502, `The upload provider cut off ${shown} (${(error as Error).message}).`);
    }
  };

  /**
   * Media events reach webhooks: they carry the file as Strapi's upload service sends it, with
   * the file model's private fields (its folder path) taken out.
   */
  const emitMediaEvent = async (event: 'media.create' | 'media.update', file: Parameters<typeof sanitize.sanitizers.defaultSanitizeOutput>[1]) => {
    const schema = strapi.getModel('plugin::upload.file');
    const media = await sanitize.sanitizers.defaultSanitizeOutput({ schema, getModel: (uid: string) => strapi.getModel(uid as any) }, file);
    strapi.eventHub.emit(event, { media });
  };

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
      await emitMediaEvent('media.create', file);
      return file;
    },

    /** Renditions made after the file was stored (a generated output is stored first, rendered after QC). */
    async addRenditions(fileId: number, renditions: StoredRendition[]) {
      const file = await strapi.db.query('plugin::upload.file').findOne({ where: { id: fileId } });
      if (!file) throw new Error(`Media Library file ${fileId} is gone.`);
      const formats = { ...(file.formats ?? {}), ...(await uploadRenditions(file, renditions)) };
      const updated = await strapi.db.query('plugin::upload.file').update({ where: { id: fileId }, data: { formats } });
      await emitMediaEvent('media.update', updated);
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

    /**
     * The bytes of a Media Library file: from the upload folder (local provider) or the provider's
     * URL (S3 and the like), bounded in size and time either way.
     */
    async readFile(file: { url: string; provider?: string }): Promise<Buffer> {
      return file.url.startsWith('/') ? readLocal(file.url) : readRemote(file.url);
    },

    async findFile(id: number) {
      return strapi.db.query('plugin::upload.file').findOne({ where: { id } });
    },
  };
  return service;
};
