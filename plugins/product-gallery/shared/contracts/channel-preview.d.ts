/**
 * A channel's pack before it is downloaded: GET /products/:documentId/channels/:channel/preview (in
 * `data`; server: services/pack.ts, pipeline/channel-rules.ts). The pack's manifest.json describes
 * its files the same way, without the previews.
 */
import type { Channel, Role, Slot } from './vocabulary';

/** The file presets of the channels (Amazon has two: MAIN, and the additional images). */
export type ChannelPresetId = 'amazon-main' | 'amazon-additional' | 'etsy' | 'shopify' | 'google' | 'meta' | 'pinterest' | 'email';

export type ChannelRuleId = 'format' | 'size' | 'background' | 'max-bytes' | 'forbidden' | 'notes';

export type ChannelRuleBreakId = 'format' | 'max-width' | 'max-long-edge' | 'min-size' | 'upscaled' | 'background' | 'no-model' | 'no-props' | 'max-bytes';

/**
 * A rule or a broken rule: `text` is the English (the manifest's and the API's), the id and
 * `values` let the admin word it through its translations.
 */
export interface ChannelRuleText {
  text: string;
  values: Record<string, string | number>;
}

export interface ChannelRule extends ChannelRuleText {
  id: ChannelRuleId;
}

export interface ChannelRuleBreak extends ChannelRuleText {
  rule: ChannelRuleBreakId;
  /** 'fail': the channel rejects or flags the file; 'warn': accepted, but it will look worse. */
  level: 'fail' | 'warn';
}

/** How the image met a fixed-aspect frame: cropped around the focal point, padded, or neither. */
export type ChannelFraming = 'crop' | 'pad' | 'fit';

/** One file of the pack. */
export interface ChannelFile {
  /** The channel's own file name, e.g. `<SKU>.MAIN.jpg`. */
  name: string;
  /** 1-based, in the order the channel shows them. */
  position: number;
  /** The gallery slots the image fills (the clean shot may fill two). */
  slots: Slot[];
  role: Role;
  /** The image asset's documentId. */
  asset: string;
  preset: ChannelPresetId;
  label: string;
  /** The encoder's name: jpeg, png, webp, avif, gif or tiff. */
  format: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  quality: number;
  /** The image was smaller than the channel's minimum and had to be enlarged. */
  upscaled: boolean;
  framing: ChannelFraming;
  /** The product's long side over the frame's, when the product was framed (Amazon MAIN). */
  fill?: number;
  /** False when a rule could not be met (still above the size cap at the smallest size). */
  meetsRules: boolean;
  notes: string[];
  breaks: ChannelRuleBreak[];
  alt: string | null;
}

/** A file as the preview shows it: with a small JPEG of it (a data URL). */
export interface ChannelPreviewFile extends ChannelFile {
  preview: string | null;
}

/** The rules of one of the channel's presets. */
export interface ChannelPresetRules {
  id: ChannelPresetId;
  label: string;
  rules: ChannelRule[];
}

/** GET /products/:documentId/channels/:channel/preview (in `data`). */
export interface ChannelPreview {
  product: { documentId: string; sku: string; slug: string; title: string };
  channel: Channel;
  /** What the editor should know about the pack as a whole (no clean shot for MAIN, images left out). */
  notes: string[];
  presets: ChannelPresetRules[];
  files: ChannelPreviewFile[];
}
