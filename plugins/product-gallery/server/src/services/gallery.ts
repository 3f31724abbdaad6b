import type { Core } from '@strapi/strapi';
import { UID, type Channel } from '../domain/vocabulary';
import { CHANNEL_PRESETS, type ChannelId } from '../pipeline/channels';
import { etagOf, forChannel, galleryJsonOf, listBody, oneBody, type Gallery } from '../domain/gallery-shape';
import { createPreparedReads, type StoredGallery } from '../repositories/low-level';

/**
 * The storefront read path: galleries are read, never built, here. gallery-snapshots.ts writes
 * each product's answer with the change that alters it, so a request reads one row by slug (the
 * schema's index) and sends its body: a publish on any instance is in the very next response of
 * every instance, with no cache to go stale.
 */

/** Formats a channel accepts, for `?channel=`: storefront sources the channel can't take are dropped. */
const CHANNEL_PRESET_OF: Record<Channel, ChannelId> = {
  amazon: 'amazon-main',
  etsy: 'etsy',
  shopify: 'shopify',
  google: 'google',
  meta: 'meta',
  pinterest: 'pinterest',
  email: 'email',
};
const acceptedBy = (channel: Channel) => new Set<string>(CHANNEL_PRESETS[CHANNEL_PRESET_OF[channel]].acceptedFormats);

export const FIND_ONE_ACTION = 'plugin::product-gallery.gallery.findOne';
export const GALLERY_ACTIONS = ['plugin::product-gallery.gallery.find', FIND_ONE_ACTION];

/** Channel views kept per process. Keyed by the stored row's ETag: a changed row is a new key, never a stale hit. */
const MAX_CHANNEL_VIEWS = 2_000;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const snapshots = () => strapi.db.query(UID.gallerySnapshot);
  // The two reads every storefront request makes: prepared once (repositories/low-level.ts says why).
  const prepared = createPreparedReads(strapi);
  const channelViews = new Map<string, { json: string; etag: string }>();

  const channelView = (body: string, etag: string, channel: Channel) => {
    const key = `${etag}|${channel}`;
    let view = channelViews.get(key);
    if (!view) {
      const gallery = forChannel(JSON.parse(galleryJsonOf(body)) as Gallery, acceptedBy(channel));
      const json = oneBody(gallery);
      view = { json, etag: etagOf(json) };
      if (channelViews.size >= MAX_CHANNEL_VIEWS) channelViews.delete(channelViews.keys().next().value as string);
      channelViews.set(key, view);
    }
    return view;
  };

  /** GET /galleries/:slug's body and strong ETag (over the exact bytes sent) from its stored row, or null: no gallery. */
  const view = (row: StoredGallery | null, opts: { channel?: Channel }) => {
    if (!row) return null;
    return opts.channel ? channelView(row.body, row.etag, opts.channel) : { json: row.body, etag: row.etag };
  };

  return {
    /** GET /galleries/:slug's body and strong ETag (over the exact bytes sent), or null: no gallery. */
    async one(slug: string, opts: { channel?: Channel } = {}): Promise<{ json: string; etag: string } | null> {
      return view(await prepared.snapshotBySlug(slug), opts);
    },

    view,

    /**
     * For an anonymous GET /galleries/:slug: whether the Public role holds gallery.findOne right
     * now, and the slug's stored row, in one read (no cache: a revoked grant holds at once).
     */
    async publicOne(slug: string): Promise<{ granted: boolean; row: StoredGallery | null }> {
      return prepared.publicSnapshotBySlug(FIND_ONE_ACTION, slug);
    },

    /**
     * GET /galleries?slugs='s body, galleries in the order asked. A slug without a published
     * image on the page is left out exactly as an unknown one is: the storefront says nothing of
     * products it does not show.
     */
    async many(slugs: string[], opts: { channel?: Channel } = {}): Promise<{ json: string; found: number }> {
      const rows = await snapshots().findMany({ where: { slug: { $in: slugs } }, select: ['slug', 'body', 'etag'] });
      const bySlug = new Map(rows.map((r: any) => [r.slug as string, r]));
      const galleries = slugs
        .map((slug) => bySlug.get(slug))
        .filter((r): r is any => !!r)
        .map((r) => galleryJsonOf(opts.channel ? channelView(r.body, r.etag, opts.channel).json : r.body));
      return { json: listBody(galleries, slugs.length), found: galleries.length };
    },

    /** Which gallery actions the Public role has right now (one query, no cache: a revoked grant holds at once). */
    async publicActions(): Promise<Set<string>> {
      return prepared.publicActions(GALLERY_ACTIONS);
    },
  };
};
