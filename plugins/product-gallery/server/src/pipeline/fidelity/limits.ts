/**
 * Every fidelity limit in one place. They are set on the odd-numbered product photos and
 * reported on the even-numbered ones (scripts/fidelity-suite.ts), never fitted to one file.
 * Units are in each name; a measure warns at *_WARN and fails at *_FAIL.
 */
export const FIDELITY_THRESHOLDS = {
  /** CIEDE2000 between the mean Lab of the product regions */
  COLOR_MEAN_DE_WARN: 4,
  /** the mean alone never fails: it moves with how much soft edge the cutout keeps (dark cords) */
  COLOR_MEAN_DE_FAIL: Infinity,
  /** weighted CIEDE2000 between dominant-colour palettes */
  COLOR_PALETTE_DE_WARN: 4,
  COLOR_PALETTE_DE_FAIL: 6,
  /** mean symmetric outline distance between bbox-normalised masks, fraction of the product size */
  OUTLINE_WARN: 0.025,
  OUTLINE_FAIL: 0.04,
  /** largest local colour change (Lab distance, 3x3-cell mean) inside the product */
  LOCAL_DE_WARN: 14,
  LOCAL_DE_FAIL: 22,
  /**
   * product cells (of a 32x32 grid) clearly present in one image (coverage >= 25%) with less than a
   * fifth of that within one cell in the other, largest connected group
   */
  MISSING_CELLS_WARN: 2,
  MISSING_CELLS_FAIL: 4,
  /**
   * largest group of cells (of a 96x96 grid, product aligned by its own box) present in one image
   * with nothing within a cell in the other: a part removed or added
   */
  SHAPE_CELLS_WARN: 12,
  SHAPE_CELLS_FAIL: 20,
  /** relative stretch of the product (its box's aspect, its principal axes), where its orientation is known */
  STRETCH_WARN: 0.06,
  STRETCH_FAIL: 0.09,
  /** pHash Hamming distance (of 64 bits) */
  PHASH_WARN: 16,
  /** thin chains make the hash noisy under resampling: it only fails on gross changes */
  PHASH_FAIL: 30,
  /** candidate / reference edge steepness of the normalised product (at a common scale) */
  SHARPNESS_WARN: 0.8,
  SHARPNESS_FAIL: 0.65,
  /** relative change of the product's size in the frame */
  SCALE_WARN: 0.06,
  SCALE_FAIL: 0.1,
} as const;

export const FIDELITY_COLOR_FAIL_DE = FIDELITY_THRESHOLDS.COLOR_PALETTE_DE_FAIL;
export const FIDELITY_SCALE_FAIL = FIDELITY_THRESHOLDS.SCALE_FAIL;

/** A close-up against the same region of its source: median CIEDE2000 and lightness correlation. */
export const REGION_LIMITS = {
  /** CIEDE2000 between the piece's mean colours */
  colorWarn: 3,
  colorFail: 6,
  /** lightness correlation around the piece, after alignment */
  nccWarn: 0.93,
  nccFail: 0.85,
  /** a cell of the 96-wide grid changed "strongly" above this Lab distance (3x3 means) */
  patchDE: 18,
  /** largest strongly changed patch, fraction of the grid */
  patchWarn: 0.006,
  patchFail: 0.012,
  /** candidate / source edge steepness over the piece, at the source region's own resolution */
  sharpWarn: 0.85,
  sharpFail: 0.78,
} as const;
