import { PassThrough } from 'node:stream';
import archiver from 'archiver';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Channel, Slot } from '../domain/vocabulary';
import { CHANNEL_PRESETS, type ChannelId, type ChannelOptions, type ChannelOutput } from '../pipeline/channels';
import { channelRules, ruleBreaks } from '../pipeline/channel-rules';
import { conflict } from '../utils/errors';
import { getService } from '../utils/get-service';
import { fillSlots, type PublishedAssetRow } from '../domain/gallery-shape';
import type { ChannelFile, ChannelPreview } from '../../../shared/contracts/channel-preview';

/** One gallery image in the pack, before it is rendered. */
export interface PackItem {
  asset: PublishedAssetRow;
  slots: Slot[];
  preset: ChannelId;
  name: string;
  position: number;
}

/** How many images a channel takes (Amazon: MAIN + PT01..PT08; Etsy 10 [U]; Google 1 + 10 additional). */
const MAX_FILES: Record<Channel, number> = { amazon: 9, etsy: 10, shopify: 250, google: 11, meta: 10, pinterest: 5, email: 10 };

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'product';
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * File names by channel convention.
 * - Amazon: `<SKU>.MAIN.jpg` for the clean hero, `<SKU>.PT01.jpg` ... `PT08` for the rest
 *   (Seller Central image naming `<SKU or ASIN>.<VARIANT>.<ext>`).
 * - Google Merchant: `<SKU>-main.jpg` (image_link), `<SKU>-additional-N.jpg` (additional_image_link).
 * - Etsy: `<slug>-01.jpg` ... in listing order (the first is the thumbnail).
 * - Shopify: `<slug>-N.jpg` (product handle + position), Meta: `<SKU>-N.jpg`,
 *   Pinterest: `<slug>-pin-N.jpg`, email: `<slug>-<slot>@2x.jpg` (600 px template, 2x).
 */
export const channelFileName = (channel: Channel, product: { sku: string; slug: string }, index: number, slot: string, ext: string) => {
  const sku = safe(product.sku);
  const slug = safe(product.slug);
  switch (channel) {
    case 'amazon':
      return index === 0 ? `${sku}.MAIN.${ext}` : `${sku}.PT${pad2(index)}.${ext}`;
    case 'google':
      return index === 0 ? `${sku}-main.${ext}` : `${sku}-additional-${index}.${ext}`;
    case 'etsy':
      return `${slug}-${pad2(index + 1)}.${ext}`;
    case 'shopify':
      return `${slug}-${index + 1}.${ext}`;
    case 'meta':
      return `${sku}-${index + 1}.${ext}`;
    case 'pinterest':
      return `${slug}-pin-${index + 1}.${ext}`;
    case 'email':
      return `${slug}-${safe(slot)}@2x.${ext}`;
  }
};

const presetFor = (channel: Channel, index: number): ChannelId =>
  channel === 'amazon' ? (index === 0 ? 'amazon-main' : 'amazon-additional') : (channel as ChannelId);

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const source = () => getService(strapi, 'gallerySource');

  const service = {
    /** Which published images go into a channel pack, in page order, one file per image. */
    async plan(documentId: string, channel: Channel) {
      const [product] = await source().products({ documentIds: [documentId] });
      if (!product) throw new errors.NotFoundError(`No product with id ${documentId}.`);
      const [assets, plans] = await Promise.all([source().publishedAssets([product.id]), source().plansFor([product])]);
      const filled = fillSlots(plans.get(product.id)!, assets.filter((a) => a.fileUrl)).filter((s) => s.asset);
      if (!filled.length) {
        throw conflict(
          `"${product.title}" has no published images yet, so there is nothing to pack for ${channel}. Approve and publish at least one image first.`,
          { product: product.documentId, channel }
        );
      }
      // One file per asset (clean may fill grid and hero), in page order.
      const unique: { asset: PublishedAssetRow; slots: Slot[] }[] = [];
      for (const s of filled) {
        const hit = unique.find((u) => u.asset.id === s.asset!.id);
        if (hit) hit.slots.push(s.slot);
        else unique.push({ asset: s.asset!, slots: [s.slot] });
      }
      const notes: string[] = [];
      if (channel === 'amazon') {
        // MAIN must be the product alone on white: the clean shot, wherever the plan puts it.
        const clean = unique.findIndex((u) => u.asset.role === 'clean');
        if (clean > 0) unique.unshift(...unique.splice(clean, 1));
        if (clean < 0) notes.push('No clean (product on white) image is published: Amazon requires one for MAIN. The first gallery image was used; publish a clean shot before uploading.');
      }
      const limit = MAX_FILES[channel];
      if (unique.length > limit) notes.push(`${channel} takes at most ${limit} images; ${unique.length - limit} were left out.`);
      const items: PackItem[] = unique.slice(0, limit).map((u, index) => {
        const preset = presetFor(channel, index);
        const ext = CHANNEL_PRESETS[preset].format === 'jpeg' ? 'jpg' : CHANNEL_PRESETS[preset].format;
        return { asset: u.asset, slots: u.slots, preset, position: index + 1, name: channelFileName(channel, product, index, u.slots[0], ext) };
      });
      return { product, items, notes };
    },

    /**
     * Renders a plan's files in the pipeline's worker threads (each stored original decoded once,
     * one image at a time so two packs can't exhaust memory; the HTTP thread only reads and zips),
     * cropped around each asset's focal point where the channel's frame differs.
     */
    async render(items: PackItem[], opts: Pick<ChannelOptions, 'previewEdge'> = {}) {
      const media = getService(strapi, 'media');
      const pipeline = getService(strapi, 'pipeline');
      const rendered: { item: PackItem; out: ChannelOutput }[] = [];
      for (const item of items) {
        const bytes = await media.readFile({ url: item.asset.fileUrl! });
        const options: ChannelOptions = { ...opts, focalPoint: item.asset.focalPoint };
        const [out] = await pipeline.run('channelRenditions', [bytes, [item.preset], options], 'file');
        const preview = out!.preview ? Buffer.from(out!.preview) : undefined;
        rendered.push({ item, out: { ...out!, buffer: Buffer.from(out!.buffer), preview } });
      }
      return rendered;
    },

    /** One file as the manifest and the preview describe it, with the channel rules it breaks. */
    describe(item: PackItem, out: ChannelOutput): ChannelFile {
      const preset = CHANNEL_PRESETS[item.preset];
      return {
        name: item.name,
        position: item.position,
        slots: item.slots,
        role: item.asset.role,
        asset: item.asset.documentId,
        preset: item.preset,
        label: preset.label,
        format: out.format,
        mime: out.mime,
        width: out.width,
        height: out.height,
        bytes: out.bytes,
        quality: out.quality,
        upscaled: out.upscaled,
        framing: out.framing,
        ...(out.fill !== undefined ? { fill: out.fill } : {}),
        meetsRules: out.meetsRules,
        notes: out.notes,
        breaks: ruleBreaks(preset, { role: item.asset.role, ...out }),
        alt: item.asset.alt ?? null,
      };
    },

    /** What a channel's pack would hold, with small previews of each file and the channel's rules. */
    async preview(documentId: string, channel: Channel, previewEdge: number): Promise<ChannelPreview> {
      const { product, items, notes } = await service.plan(documentId, channel);
      const rendered = await service.render(items, { previewEdge });
      const presets = [...new Set(items.map((i) => i.preset))].map((id) => ({ id, label: CHANNEL_PRESETS[id].label, rules: channelRules(CHANNEL_PRESETS[id]) }));
      return {
        product: { documentId: product.documentId, sku: product.sku, slug: product.slug, title: product.title },
        channel,
        notes,
        presets,
        files: rendered.map(({ item, out }) => ({
          ...service.describe(item, out),
          preview: out.preview ? `data:image/jpeg;base64,${out.preview.toString('base64')}` : null,
        })),
      };
    },

    /** The channel files as a streamed ZIP with a manifest.json. */
    async build(documentId: string, channel: Channel) {
      const { product, items, notes } = await service.plan(documentId, channel);
      const rendered = await service.render(items);
      const manifest = {
        product: { documentId: product.documentId, sku: product.sku, slug: product.slug, title: product.title, category: product.category },
        channel,
        galleryVersion: product.galleryVersion,
        generatedAt: new Date().toISOString(),
        naming: channel === 'amazon' ? '<SKU>.<VARIANT>.<ext>, VARIANT = MAIN, PT01..PT08' : undefined,
        notes,
        files: rendered.map(({ item, out }) => service.describe(item, out)),
      };
      const archive = archiver('zip', { zlib: { level: 1 } });
      const stream = new PassThrough();
      archive.on('warning', (err) => strapi.log.warn(`[product-gallery] pack ${product.sku}/${channel}: ${err.message}`));
      archive.on('error', (err) => stream.destroy(err));
      archive.pipe(stream);
      for (const { item, out } of rendered) archive.append(out.buffer, { name: item.name, store: true });
      archive.append(JSON.stringify(manifest, null, 2), { name: 'manifest.json' });
      void archive.finalize();
      return { filename: `${safe(product.sku)}-${channel}.zip`, stream, manifest };
    },
  };
  return service;
};
