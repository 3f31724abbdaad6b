/**
 * The product's real long side in millimetres, from its record: what the compositor maps to
 * the scene's pixels-per-mm. When the record has no usable size, a category default is used
 * and the result says so, so the shot is flagged rather than silently wrong.
 */
const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));

/** US ring size to inner diameter: 11.63 mm + 0.8128 mm per size. */
const ringInnerDiameterMm = (size: string | null | undefined) => {
  const n = size ? Number(String(size).replace(/[^0-9.]/g, '')) : NaN;
  return Number.isFinite(n) && n > 0 && n < 20 ? 11.63 + 0.8128 * n : null;
};

const CATEGORY_DEFAULT_MM: Record<string, number> = {
  ring: 22,
  pendant: 25,
  earrings: 20,
  bracelet: 65,
  anklet: 75,
  necklace: 160,
  brooch: 40,
  other: 40,
};

export interface ProductScale {
  longSideMm: number;
  source: string;
  assumed: boolean;
}

export const productLongSideMm = (category: string, dimensions: Record<string, unknown> | null | undefined): ProductScale => {
  const d = dimensions ?? {};
  const w = num(d.widthMm);
  const h = num(d.heightMm);
  if (w || h) return { longSideMm: Math.max(w ?? 0, h ?? 0), source: 'width/height', assumed: false };
  switch (category) {
    case 'ring': {
      const inner = ringInnerDiameterMm(d.ringSize as string);
      if (inner) return { longSideMm: inner + 2 * Math.max(1.5, (num(d.bandWidthMm) ?? 2) * 0.6), source: 'ring size', assumed: false };
      break;
    }
    case 'pendant':
      // Product photos of pendants usually show the chain too: its span sets the scale.
      if (num(d.chainLengthMm)) return { longSideMm: num(d.chainLengthMm)! / 3, source: 'chain length', assumed: false };
      if (num(d.pendantDropMm)) return { longSideMm: num(d.pendantDropMm)!, source: 'pendant drop', assumed: false };
      break;
    case 'earrings':
      if (num(d.earringDropMm)) return { longSideMm: num(d.earringDropMm)!, source: 'earring drop', assumed: false };
      break;
    case 'bracelet':
    case 'anklet':
      if (num(d.braceletLengthMm)) return { longSideMm: num(d.braceletLengthMm)! / Math.PI, source: 'bracelet length', assumed: false };
      break;
    case 'necklace':
      // A necklace laid in a loop spans roughly a third of its length.
      if (num(d.chainLengthMm)) return { longSideMm: num(d.chainLengthMm)! / 3, source: 'chain length', assumed: false };
      break;
    default:
      break;
  }
  return { longSideMm: CATEGORY_DEFAULT_MM[category] ?? 40, source: 'category default', assumed: true };
};
