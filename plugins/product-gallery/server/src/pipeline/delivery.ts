/**
 * A delivery pack: every storefront rendition + every channel file for one asset, from ONE decode
 * of the source and one shared bound on the sharp pipelines in flight.
 */
import { CHANNEL_IDS, renderChannels, type ChannelId, type ChannelOutput } from './channels';
import { createLimiter, defaultPipelineConcurrency } from './concurrency';
import { decodeOnce, hasTransparency, type ImageInput, type Rgb } from './decode';
import { productBox, type FocalPoint, type ProductBox } from './product-box';
import { renderRenditionSet, type Rendition, type RenditionOptions } from './renditions';

export interface DeliveryPackOptions extends RenditionOptions {
  /** Channel files to make (default: all presets). Pass [] for storefront renditions only. */
  channels?: readonly ChannelId[];
  /** Padding colour for channels that allow one (Amazon main is always white). */
  background?: string | Rgb;
}

export interface DeliveryPack {
  width: number;
  height: number;
  hasAlpha: boolean;
  focalPoint: FocalPoint;
  thumbhash: string;
  /** Where the product is in the source (pixels), as used for the focal point and Amazon framing. */
  productBox: ProductBox;
  renditions: Rendition[];
  channels: ChannelOutput[];
  /** Wall-clock milliseconds: decode, analysis (product box), encode fan-out. */
  timings: { decodeMs: number; analysisMs: number; encodeMs: number; totalMs: number };
}

export async function deliveryPack(input: ImageInput, opts: DeliveryPackOptions = {}): Promise<DeliveryPack> {
  const t0 = performance.now();
  const img = await decodeOnce(input);
  const t1 = performance.now();
  const box = await productBox(img);
  const t2 = performance.now();
  const limit = createLimiter(opts.concurrency ?? defaultPipelineConcurrency());
  const [set, channels] = await Promise.all([
    renderRenditionSet(img, opts, limit, box),
    renderChannels(img, opts.channels ?? CHANNEL_IDS, { background: opts.background, xmp: opts.xmp }, limit, box),
  ]);
  const t3 = performance.now();
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    width: img.width,
    height: img.height,
    hasAlpha: hasTransparency(img),
    focalPoint: set.focalPoint,
    thumbhash: set.thumbhash,
    productBox: box,
    renditions: set.renditions,
    channels,
    timings: { decodeMs: r(t1 - t0), analysisMs: r(t2 - t1), encodeMs: r(t3 - t2), totalMs: r(t3 - t0) },
  };
}
