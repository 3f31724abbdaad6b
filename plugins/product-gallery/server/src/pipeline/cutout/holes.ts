/**
 * Hole and part analysis: enclosed regions are filled unless they look like background (ring
 * holes and necklace loops stay transparent); then the separate parts and the frame contact
 * are counted for the confidence phase.
 */
import { components, dilate, erode } from '../morphology';
import { minSpeckArea } from './cleanup';
import type { Features } from './features';
import { CUTOUT_DEFAULTS } from './types';

/** Fills the mask's enclosed regions in place, except background-like ones; returns how many holes were kept. */
export function fillEnclosed(closed: Uint8Array, w: number, h: number, f: Features): number {
  const n = w * h;
  const { z, zRaw, dL, dC, grad, kG } = f;
  const weakT = CUTOUT_DEFAULTS.weak;
  let holes = 0;
  const minHole = Math.max(12, Math.round(n * 0.0002));
  // enclosure is judged on a more strongly closed mask so that outlines with small gaps
  // (a pearl's rim, a chain loop) still enclose their inside
  const enclosing = erode(dilate(closed, w, h, 3), w, h, 3);
  const cc = components(w, h, (i) => enclosing[i] === 0, false);
  const sums = new Float64Array(cc.count + 1);
  const strongCount = new Float64Array(cc.count + 1);
  const zs = new Float64Array(cc.count + 1), dls = new Float64Array(cc.count + 1), dcs = new Float64Array(cc.count + 1), gs = new Float64Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i];
    if (!l || cc.touchesBorder[l]) continue;
    sums[l] += zRaw[i]; zs[l] += z[i]; dls[l] += dL[i]; dcs[l] += dC[i]; gs[l] += grad[i] / kG;
    if (zRaw[i] >= weakT) strongCount[l]++;
  }
  for (let l = 1; l <= cc.count; l++) {
    if (cc.touchesBorder[l]) continue;
    const meanZ = sums[l] / cc.areas[l];
    const unlike = strongCount[l] / cc.areas[l];
    // background-like: close to the background model once shadows are forgiven, and smooth
    const bgLike = zs[l] / cc.areas[l] < 0.3 && gs[l] / cc.areas[l] < 0.15;
    if (process.env.PG_DEBUG && cc.areas[l] >= minHole) console.log('hole', l, 'area', cc.areas[l], 'meanZraw', meanZ.toFixed(2), 'fracWeakRaw', unlike.toFixed(2), 'meanZ', (zs[l] / cc.areas[l]).toFixed(2), 'meanDL', (dls[l] / cc.areas[l]).toFixed(1), 'meanDC', (dcs[l] / cc.areas[l]).toFixed(1), 'meanG', (gs[l] / cc.areas[l]).toFixed(2), 'bbox', cc.boxes.slice(4 * l, 4 * l + 4).join(','));
    cc.areas[l] = bgLike ? -cc.areas[l] : cc.areas[l];
    if (bgLike && -cc.areas[l] >= minHole) holes++;
  }
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i];
    if (l && !cc.touchesBorder[l] && cc.areas[l] > 0) closed[i] = 255;
    else if (!l && enclosing[i] && !closed[i] && zRaw[i] >= weakT * 0.7) closed[i] = 255; // bridged gap that is not background
  }
  return holes;
}

/** Significant separate parts, specks, and the share of the frame's outermost ring the mask covers. */
export function partsAndContact(closed: Uint8Array, w: number, h: number): { parts: number; specks: number; borderContact: number } {
  const n = w * h;
  const partsCC = components(w, h, (i) => closed[i] !== 0);
  const sigPart = Math.max(minSpeckArea(n) * 4, Math.round(n * 0.0005));
  let parts = 0, specks = 0;
  for (let l = 1; l <= partsCC.count; l++) {
    if (partsCC.areas[l] >= sigPart) parts++; else specks++;
  }
  let contact = 0, perim = 0;
  for (let x = 0; x < w; x++) { perim += 2; if (closed[x]) contact++; if (closed[(h - 1) * w + x]) contact++; }
  for (let y = 1; y < h - 1; y++) { perim += 2; if (closed[y * w]) contact++; if (closed[y * w + w - 1]) contact++; }
  return { parts, specks, borderContact: contact / perim };
}
