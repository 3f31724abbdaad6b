/** Product fields a prompt template may use: {{title}}, {{category}}, {{metal}}, {{stones}}, {{dimensions}} ... */
export interface PromptProduct {
  title: string;
  sku?: string | null;
  category: string;
  metal: string;
  description?: string | null;
  stones?: Array<{ type: string; color?: string | null; count?: number | null; sizeMm?: number | string | null; shape?: string | null }> | null;
  dimensions?: Record<string, unknown> | null;
}

const DIMENSION_LABELS: Record<string, string> = {
  widthMm: 'width',
  heightMm: 'height',
  depthMm: 'depth',
  bandWidthMm: 'band width',
  chainLengthMm: 'chain length',
  pendantDropMm: 'pendant drop',
  earringDropMm: 'earring drop',
  braceletLengthMm: 'bracelet length',
};

const humanMetal = (metal: string) => metal.replace('-', ' ');

export const describeStones = (stones: PromptProduct['stones']) => {
  if (!stones?.length) return 'no stones';
  return stones
    .map((s) => {
      const count = s.count && s.count > 1 ? `${s.count} ` : 'one ';
      const size = s.sizeMm ? `${Number(s.sizeMm)} mm ` : '';
      const color = s.color ? `${s.color} ` : '';
      const shape = s.shape ? `${s.shape} ` : '';
      return `${count}${size}${color}${shape}${s.type}`.trim();
    })
    .join(', ');
};

export const describeDimensions = (dimensions: PromptProduct['dimensions']) => {
  if (!dimensions) return 'dimensions not given';
  const parts: string[] = [];
  for (const [key, label] of Object.entries(DIMENSION_LABELS)) {
    const value = dimensions[key];
    if (value !== null && value !== undefined && value !== '') parts.push(`${label} ${Number(value)} mm`);
  }
  if (dimensions.ringSize) parts.push(`ring size ${dimensions.ringSize}`);
  return parts.length ? parts.join(', ') : 'dimensions not given';
};

export const promptVariables = (product: PromptProduct): Record<string, string> => ({
  title: product.title,
  sku: product.sku ?? '',
  category: product.category,
  metal: humanMetal(product.metal),
  stones: describeStones(product.stones),
  dimensions: describeDimensions(product.dimensions),
  description: product.description ?? '',
});

/** Unknown placeholders are left visible so an editor sees the typo in the preview. */
export const renderPrompt = (template: string | null | undefined, product: PromptProduct, extra: Record<string, string> = {}) => {
  const vars = { ...promptVariables(product), ...extra };
  return (template ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (match, name: string) => (name in vars ? vars[name] : match));
};

export const unknownPlaceholders = (template: string | null | undefined, extra: string[] = []) => {
  const known = new Set([...Object.keys(promptVariables({ title: '', category: '', metal: '' })), ...extra]);
  return [...(template ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).filter((n) => !known.has(n));
};
