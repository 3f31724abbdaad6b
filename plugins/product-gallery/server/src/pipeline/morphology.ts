/**
 * Binary-mask morphology and connected components over plain Uint8Arrays (0 / non-zero).
 * Pure functions, no allocation of class instances: safe to run in worker threads.
 */

/** Square dilation with radius r (separable max filter). */
export function dilate(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return src.slice();
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let v = 0;
      const x0 = Math.max(0, x - r), x1 = Math.min(w - 1, x + r);
      for (let xx = x0; xx <= x1; xx++) if (src[row + xx]) { v = 255; break; }
      tmp[row + x] = v;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let v = 0;
      const y0 = Math.max(0, y - r), y1 = Math.min(h - 1, y + r);
      for (let yy = y0; yy <= y1; yy++) if (tmp[yy * w + x]) { v = 255; break; }
      out[y * w + x] = v;
    }
  }
  return out;
}

/** Square erosion with radius r (outside the image counts as set, so borders do not erode). */
export function erode(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = src[i] ? 0 : 255;
  const d = dilate(inv, w, h, r);
  for (let i = 0; i < d.length; i++) d[i] = d[i] ? 0 : 255;
  return d;
}

export interface Components {
  /** label per pixel, 0 = not in any component, 1..count */
  labels: Int32Array;
  count: number;
  /** area per label (index 0 unused) */
  areas: Int32Array;
  /** whether the component touches the image border */
  touchesBorder: Uint8Array;
  /** bounding boxes per label: [minX, minY, maxX, maxY] * (count+1) */
  boxes: Int32Array;
}

/** Connected components of pixels where sel(i) is true (4- or 8-connectivity). */
export function components(w: number, h: number, sel: (i: number) => boolean, eight = true): Components {
  const n = w * h;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const areas: number[] = [0];
  const touches: number[] = [0];
  const boxes: number[] = [0, 0, 0, 0];
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] || !sel(s)) continue;
    count++;
    let sp = 0;
    stack[sp++] = s;
    labels[s] = count;
    let area = 0, touch = 0, minX = w, minY = h, maxX = -1, maxY = -1;
    while (sp > 0) {
      const i = stack[--sp];
      area++;
      const x = i % w, y = (i - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) touch = 1;
      if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (!dx && !dy) continue;
          if (!eight && dx && dy) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!labels[j] && sel(j)) { labels[j] = count; stack[sp++] = j; }
        }
      }
    }
    areas.push(area); touches.push(touch); boxes.push(minX, minY, maxX, maxY);
  }
  return { labels, count, areas: Int32Array.from(areas), touchesBorder: Uint8Array.from(touches), boxes: Int32Array.from(boxes) };
}

/** Box blur of a float plane with radius r (separable running sums). */
export function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r <= 0) return src.slice();
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let x = -r; x <= r; x++) s += src[row + Math.min(w - 1, Math.max(0, x))];
    for (let x = 0; x < w; x++) {
      tmp[row + x] = s / (2 * r + 1);
      s += src[row + Math.min(w - 1, x + r + 1)] - src[row + Math.max(0, x - r)];
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let y = -r; y <= r; y++) s += tmp[Math.min(h - 1, Math.max(0, y)) * w + x];
    for (let y = 0; y < h; y++) {
      out[y * w + x] = s / (2 * r + 1);
      s += tmp[Math.min(h - 1, y + r + 1) * w + x] - tmp[Math.max(0, y - r) * w + x];
    }
  }
  return out;
}
