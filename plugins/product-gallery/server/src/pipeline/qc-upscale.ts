/**
 * How far an image's pixels were enlarged from what the camera recorded: a clean shot of a small
 * photo blown up to fill 2000 px, a composite's piece scaled to its true size, an AI output run
 * through the upscaler. Up to 2x a resampled edge still reads as the piece; beyond it, a shopper
 * zooming in sees smoothed, invented texture where the metal's finish and the stones' facets
 * should be, so the shot is marked for the reviewer instead of passing quietly.
 */
import type { QcCheck } from './qc';

/** Enlargements above this are a warning. */
export const UPSCALE_WARN_ABOVE = 2;

/** The upscale check for a known factor; null when nothing was enlarged or the factor is unknown. */
export function checkUpscale(factor: number | null | undefined): QcCheck | null {
  if (factor === null || factor === undefined || !Number.isFinite(factor) || factor <= 1) return null;
  const value = Math.round(factor * 100) / 100;
  if (factor <= UPSCALE_WARN_ABOVE) {
    return { id: 'tech.upscale', status: 'pass', value, threshold: UPSCALE_WARN_ABOVE, message: `Enlarged ${factor.toFixed(1)}× from the source's pixels: within what still looks sharp.` };
  }
  return {
    id: 'tech.upscale',
    status: 'warn',
    value,
    threshold: UPSCALE_WARN_ABOVE,
    message: `Enlarged ${factor.toFixed(1)}× from the source's pixels (more than ${UPSCALE_WARN_ABOVE}×): a shopper who zooms in sees smoothed, guessed detail rather than the piece's real texture. Use a larger source photo for a sharper shot.`,
  };
}
