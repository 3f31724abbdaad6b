/** The cutout's public types and tuning constants, shared by its phases. */
import type { CutoutReason, CutoutSummary } from '../../../../shared/contracts/reference';

export type { CutoutReason } from '../../../../shared/contracts/reference';

export const CUTOUT_DEFAULTS = {
  /** long side of the analysis resolution */
  maxWorkSide: 1024,
  /** strong / weak thresholds, in units of "the most extreme border value" */
  strong: 2.0,
  weak: 1.15,
  /** lightness drop (L units) forgiven on smooth, colour-neutral areas: shadows and shading */
  shadowL: 18,
} as const;

/** Below this confidence a cutout must be reviewed by a person. */
export const CUTOUT_REVIEW_THRESHOLD = 0.6;

export interface CutoutOptions {
  maxWorkSide?: number;
}

export interface BackgroundModel {
  /** median border colour, sRGB 0..255 */
  rgb: [number, number, number];
  lab: { l: number; a: number; b: number };
  /**
   * Quadratic surface per channel: value(u, v) = c0 + c1 u + c2 v + c3 u^2 + c4 u v + c5 v^2,
   * with u = x / width - 0.5 and v = y / height - 0.5 (any resolution). 3 x 6 numbers (R, G, B).
   */
  surface: number[];
  kind: 'white' | 'light' | 'grey' | 'dark' | 'colored';
  /** spread of border lightness (p95 - p5, L units): marble and shadows raise it */
  lightnessSpread: number;
}

/** The cutout with its mask (the summary's fields are the contract's: the admin reads them). */
export interface CutoutResult extends CutoutSummary {
  width: number;
  height: number;
  /** single-channel 8-bit alpha, width * height, 0 = background, 255 = product */
  mask: Uint8Array;
  background: BackgroundModel;
  /** the analysis resolution */
  workWidth: number;
  workHeight: number;
  ms: number;
}

/** The analysis-resolution image every phase works on. */
export interface WorkImage {
  w: number;
  h: number;
  n: number;
  /** RGBA, own-realm copy */
  px: Uint8Array;
  L: Float32Array;
  A: Float32Array;
  B: Float32Array;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
