/**
 * Confidence with reasons: how far the photo is from "a product on a plain background" (frame
 * contact, dark, coloured or busy background, clutter, skin, size). Each reason multiplies the
 * confidence by its factor and says why in words an editor understands.
 */
import type { BBox } from '../raw-image';
import type { BackgroundModel, CutoutReason } from './types';

/** Share of the product's pixels that are lit skin (YCbCr box). */
export function skinShare(closed: Uint8Array, px: Uint8Array, n: number): { skin: number; share: number } {
  let skin = 0, prod = 0;
  for (let i = 0; i < n; i++) {
    if (!closed[i]) continue;
    prod++;
    const r = px[i * 4], g = px[i * 4 + 1], b = px[i * 4 + 2];
    const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    if (cb >= 95 && cb <= 125 && cr >= 138 && cr <= 170 && r > 80 && r > g && g > b && r - g > g - b && r - b > 25 && r - b < 110) skin++;
  }
  return { skin, share: prod ? skin / prod : 0 };
}

export interface ConfidenceInput {
  transparentBorder: boolean;
  bbox: BBox;
  areaFraction: number;
  borderContact: number;
  background: Pick<BackgroundModel, 'kind' | 'lightnessSpread'>;
  parts: number;
  specks: number;
  skin: { skin: number; share: number };
  /** analysis pixels */
  n: number;
}

export function assessConfidence(c: ConfidenceInput): { confidence: number; reasons: CutoutReason[] } {
  const { transparentBorder, bbox, areaFraction, borderContact, parts, specks, n } = c;
  const { kind, lightnessSpread } = c.background;
  const reasons: CutoutReason[] = [];
  const add = (code: string, message: string, factor: number) => reasons.push({ code, message, factor });
  if (transparentBorder) add('transparent_border', 'The photo already has a transparent background; its alpha was used as the cutout.', 1);
  if (bbox.width === 0 || areaFraction < 0.0008) add('nothing_found', 'No product stands out from the background.', 0.2);
  if (areaFraction > 0.6) add('fills_frame', `The detected subject covers ${(areaFraction * 100).toFixed(0)}% of the photo: this does not look like a product on a plain background.`, 0.35);
  if (borderContact > 0.06) add('runs_off_frame', `The subject runs off the edges of the photo (${(borderContact * 100).toFixed(0)}% of the frame edge): it may be cut off or it is not on a plain background.`, 0.35);
  else if (borderContact > 0.015) add('touches_frame', 'The product touches the edge of the photo; part of it may be cut off.', 0.8);
  else if (borderContact > 0) add('chain_leaves_frame', 'A thin part of the product (a chain) leaves the photo at the edge.', 0.95);
  if (!transparentBorder) {
    if (kind === 'dark') add('dark_background', 'The background is dark, not a plain light surface.', 0.5);
    else if (kind === 'grey') add('grey_background', 'The background is grey rather than white or light.', 0.85);
    else if (kind === 'colored') add('colored_background', 'The background is coloured, not a plain white or light surface.', 0.6);
    if (lightnessSpread > 22) add('busy_background', 'The background is uneven (strong shadows, texture or a scene), so the cutout may include parts of it.', 0.5);
    else if (lightnessSpread > 12) add('textured_background', 'The background has visible texture or shading.', 0.9);
  }
  if (parts > 12 || specks > 60) add('clutter', `Many separate objects were found (${parts} parts, ${specks} specks): clutter, text or a busy scene.`, 0.45);
  if (c.skin.share > 0.25 && c.skin.skin > n * 0.03) add('person', 'Skin is visible: this looks like an on-model photo, not a product on a plain background.', 0.4);
  let confidence = reasons.reduce((acc, r) => acc * r.factor, 1);
  confidence = Math.round(Math.max(0, Math.min(1, confidence)) * 1000) / 1000;
  return { confidence, reasons };
}
