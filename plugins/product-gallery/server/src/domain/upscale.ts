/**
 * How much an asset's pixels were enlarged, from its provenance: a local shot records the factor
 * it enlarged the source by; a Replicate shot that went through the upscaler records the sizes
 * before and after. Null when nothing says (an import, an older asset).
 */
export const upscaleFactorOf = (provenance: any): number | null => {
  const round = (f: number) => Math.round(f * 100) / 100;
  const local = Number(provenance?.upscaleFactor);
  if (Number.isFinite(local) && local > 0) return round(local);
  const up = provenance?.upscale;
  const before = Math.max(Number(up?.from?.width) || 0, Number(up?.from?.height) || 0);
  const after = Math.max(Number(up?.to?.width) || 0, Number(up?.to?.height) || 0);
  if (before > 0 && after > 0) return round(after / before);
  const asked = Number(up?.factor);
  return Number.isFinite(asked) && asked > 0 ? round(asked) : null;
};
