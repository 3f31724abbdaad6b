/**
 * Every message the admin panel shows goes through formatMessage with a `product-gallery.` id,
 * and English is complete: each id used in admin/src exists in translations/en.json.
 */
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../plugins/product-gallery/admin/src');
const en: Record<string, string> = JSON.parse(fs.readFileSync(path.join(SRC, 'translations/en.json'), 'utf8'));

const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });

const code = sources(SRC).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));

/** Every check id the server can give (its literals in the server's source): each needs a name and a meaning. */
const SERVER = path.resolve(__dirname, '../../plugins/product-gallery/server/src');
const CHECK_IDS = [...new Set(sources(SERVER).flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/'((?:tech|fidelity|channel|source)\.[a-z-]+)'/g)].map((m) => m[1])))];
const CONTRACTS = path.resolve(__dirname, '../../plugins/product-gallery/shared/contracts');

/**
 * The members of a string-literal union a contract declares (`export type Name = 'a' | 'b';`): a
 * union it no longer declares that way fails here rather than leave its family unchecked.
 */
const unionOf = (file: string, name: string) => {
  const union = fs.readFileSync(path.join(CONTRACTS, file), 'utf8').match(new RegExp(`export type ${name} = ([^;]+);`))?.[1];
  if (!union) throw new Error(`shared/contracts/${file} declares no union ${name}`);
  return union
    .split('|')
    .map((u) => u.trim().replace(/'/g, ''))
    .filter(Boolean);
};
/** The units a check's value comes in (QcUnit), as the admin words them: bytes in MB or KB, text as it is. */
const QC_UNITS = unionOf('assets.d.ts', 'QcUnit').flatMap((u) => (u === 'bytes' ? ['bytes.mb', 'bytes.kb'] : u === 'text' ? [] : [u]));

/** Families of ids built at runtime (`t(\`role.${role}\`, ...)`), with every member they can take. */
const FAMILIES: Record<string, string[]> = {
  role: ['clean', 'model', 'detail', 'lifestyle', 'size'],
  slot: ['grid', 'hero', 'gallery-2', 'gallery-3', 'campaign'],
  status: ['queued', 'generating', 'draft', 'in_review', 'approved', 'rejected', 'published', 'archived', 'failed', 'missing'],
  stage: ['making', 'replicate', 'checking'],
  category: ['ring', 'necklace', 'pendant', 'earrings', 'bracelet', 'anklet', 'brooch', 'other'],
  channel: ['amazon', 'etsy', 'shopify', 'google', 'meta', 'pinterest', 'email'],
  generator: ['auto', 'local', 'replicate'],
  'qc.status': ['pass', 'warn', 'unverified', 'fail'],
  'compare.mode': ['side', 'overlay', 'difference', 'map'],
  cell: ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'],
  'briefs.field': ['promptTemplate', 'negativePrompt', 'scene', 'style'],
  'qc.check': CHECK_IDS,
  'qc.meaning': CHECK_IDS,
  'qc.unit': QC_UNITS,
  'channelPreview.rule': unionOf('channel-preview.d.ts', 'ChannelRuleId'),
  'channelPreview.break': unionOf('channel-preview.d.ts', 'ChannelRuleBreakId'),
  'channelPreview.framing': unionOf('channel-preview.d.ts', 'ChannelFraming'),
};

describe('admin translations', () => {
  test('every static message id used in the admin exists in en.json', () => {
    const missing: string[] = [];
    for (const { file, text } of code) {
      for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) if (!(m[1] in en)) missing.push(`${m[1]} (${path.basename(file)})`);
      for (const m of text.matchAll(/getTrad\('([^']+)'\)/g)) if (!(m[1] in en)) missing.push(`${m[1]} (${path.basename(file)})`);
    }
    expect(missing).toEqual([]);
  });

  test('every dynamic family used in the admin is complete in en.json', () => {
    const used = new Set<string>();
    for (const { text } of code) for (const m of text.matchAll(/\bt\(\s*`([\w.-]+)\.\$\{/g)) used.add(m[1]);
    expect([...used].filter((f) => !FAMILIES[f])).toEqual([]);
    const missing = [...used].flatMap((f) => FAMILIES[f].map((k) => `${f}.${k}`)).filter((id) => !(id in en));
    expect(missing).toEqual([]);
  });

  test('en.json has no empty messages and ids are not pre-prefixed', () => {
    for (const [id, msg] of Object.entries(en)) {
      expect(id.startsWith('product-gallery.')).toBe(false);
      expect(msg.trim().length).toBeGreaterThan(0);
    }
  });
});
