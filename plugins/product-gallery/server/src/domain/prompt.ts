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

/**
 * Bounds of what a prompt carries. Replicate's editing models publish no prompt length limit, but
 * they read only so much: FLUX (Kontext, Fill) encodes the prompt with T5 up to 512 tokens, about
 * 2,000 to 2,500 characters of English, and ignores the rest; nano-banana and Seedream read more,
 * but a longer prompt is no better instruction. The bounds leave a seller room for a detailed
 * brief while making sure a template, a product record or a review loop cannot grow a prompt
 * without end (a 4,000-character template of `{{stones}}` once rendered to 2.6 MB).
 */
export const PROMPT_LIMITS = {
  /** A rendered prompt (or negative prompt), whatever product it is rendered for. */
  rendered: 5000,
  /** Each product value a placeholder stands for; longer values are cut at a word with "…". */
  values: { title: 200, sku: 64, category: 40, metal: 40, stones: 600, dimensions: 400, description: 1000 } as Record<string, number>,
  /** The reviewers' notes a re-generation carries: the newest ones, at most this many characters... */
  notes: 2000,
  /** ...and at most this many notes. */
  noteCount: 3,
} as const;

const NOTE_MARK = "\nReviewer's note to fix: ";
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** `text` cut to `max` characters, at a word where there is one, with "…" saying it was cut. */
export const clip = (text: string, max: number) => {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
};

export const promptVariables = (product: PromptProduct): Record<string, string> => {
  const raw: Record<string, string> = {
    title: product.title,
    sku: product.sku ?? '',
    category: product.category,
    metal: humanMetal(product.metal),
    stones: describeStones(product.stones),
    dimensions: describeDimensions(product.dimensions),
    description: product.description ?? '',
  };
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, clip(v, PROMPT_LIMITS.values[k] ?? PROMPT_LIMITS.rendered)]));
};

/**
 * The longest a template can render to, for any product: its own text plus each known
 * placeholder at its value's bound (an unknown one stays as it is written).
 */
export const longestRender = (template: string | null | undefined) => {
  const text = template ?? '';
  let length = text.length;
  for (const [match, name] of text.matchAll(PLACEHOLDER)) length += (PROMPT_LIMITS.values[name!] ?? match.length) - match.length;
  return length;
};

/** Why a template may not be saved, or null: it must render within the bound for every product. */
export const templateTooLong = (template: string | null | undefined): string | null => {
  const longest = longestRender(template);
  if (longest <= PROMPT_LIMITS.rendered) return null;
  return `renders to up to ${longest} characters with the longest product values (placeholders count at their longest: description ${PROMPT_LIMITS.values.description}, stones ${PROMPT_LIMITS.values.stones}, title ${PROMPT_LIMITS.values.title}); keep it within ${PROMPT_LIMITS.rendered}: shorten the text or use fewer placeholders`;
};

/**
 * Unknown placeholders are left visible so an editor sees the typo in the preview. The result is
 * cut at the bound: a template saved before the bound existed still renders to a bounded prompt.
 */
export const renderPrompt = (template: string | null | undefined, product: PromptProduct, extra: Record<string, string> = {}) => {
  const vars = { ...promptVariables(product), ...extra };
  return clip((template ?? '').replace(PLACEHOLDER, (match, name: string) => (name in vars ? vars[name]! : match)), PROMPT_LIMITS.rendered);
};

export const unknownPlaceholders = (template: string | null | undefined, extra: string[] = []) => {
  const known = new Set([...Object.keys(PROMPT_LIMITS.values), ...extra]);
  return [...(template ?? '').matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((n) => !known.has(n));
};

/**
 * A rejected image's prompt with the reviewer's note added for the next attempt. Only the newest
 * notes are carried (at most PROMPT_LIMITS.noteCount, within PROMPT_LIMITS.notes characters), so
 * an image rejected again and again does not grow its prompt with every round.
 */
export const withReviewerNote = (prompt: string, note: string) => {
  const [base, ...earlier] = prompt.split(NOTE_MARK);
  const notes = [...earlier, clip(note.trim(), PROMPT_LIMITS.notes)];
  const kept: string[] = [];
  let length = 0;
  for (const n of notes.reverse()) {
    if (kept.length >= PROMPT_LIMITS.noteCount || length + n.length > PROMPT_LIMITS.notes) break;
    kept.unshift(n);
    length += n.length;
  }
  return [clip(base!, PROMPT_LIMITS.rendered), ...kept].join(NOTE_MARK);
};
