import type { Category, Role } from './vocabulary';
import type { RoleSpec, SlotRule } from '../../../shared/contracts/brief';
import { DEFAULT_SLOT_PLAN } from './slot-plan';

export type { RoleSpec, SlotRule } from '../../../shared/contracts/brief';

export interface BriefSeed {
  seedKey: string;
  name: string;
  categories: Category[];
  roles: RoleSpec[];
  slotPlan: SlotRule[];
}

export const DEFAULT_EDIT_MODEL = 'black-forest-labs/flux-kontext-pro';

/*
 * Said positively: Black Forest Labs' prompting guide finds that naming what must not appear
 * ("no extra stones") tends to bring it in. The editing models here have no negative prompt field.
 */
const KEEP_PRODUCT =
  'Keep the jewelry exactly as in the input photo: the same {{metal}}, the same stones ({{stones}}) in the same places and colors, the same shape, chain and clasp, true to its real size ({{dimensions}}).';
const NEGATIVE =
  'extra stones, missing stones, changed metal color, different chain, different clasp, resized jewelry, duplicated jewelry, text, logo, watermark, border';

interface CategoryContext {
  seedKey: string;
  name: string;
  categories: Category[];
  /** Where the piece is worn: the model shot's scene (REFERENCE.md section 1). */
  wornOn: string;
  lifestyle: string;
}

const CONTEXTS: CategoryContext[] = [
  {
    seedKey: 'ring',
    name: 'Rings',
    categories: ['ring'],
    wornOn: 'a hand, the ring on the ring finger, relaxed fingers, natural nails',
    lifestyle: 'a ring dish on a linen surface with soft morning light',
  },
  {
    seedKey: 'necklace',
    name: 'Necklaces',
    categories: ['necklace'],
    wornOn: 'a neckline and collarbones, open neckline, chin out of frame',
    lifestyle: 'a folded cashmere scarf on a stone tabletop',
  },
  {
    seedKey: 'pendant',
    name: 'Pendants',
    categories: ['pendant'],
    wornOn: 'a neckline and collarbones, the pendant resting below the collarbone',
    lifestyle: 'an open jewelry box on a warm wooden surface',
  },
  {
    seedKey: 'earrings',
    name: 'Earrings',
    categories: ['earrings'],
    wornOn: 'an ear with face framing, hair tucked behind the ear, three-quarter profile',
    lifestyle: 'a pebble and dried flowers on a light stone surface',
  },
  {
    seedKey: 'bracelet',
    name: 'Bracelets',
    categories: ['bracelet'],
    wornOn: 'a wrist, the forearm resting, hand relaxed',
    lifestyle: 'a wrist resting on an open book beside a coffee cup',
  },
];

const roleSpecs = (ctx: CategoryContext): RoleSpec[] => [
  {
    role: 'clean',
    required: true,
    aspectRatio: '1:1',
    minLongEdge: 2000,
    generator: 'local',
    model: null,
    fill: 0.85,
    promptTemplate: 'Studio packshot of {{title}}, a {{metal}} {{category}} with {{stones}}, centered on pure white.',
    negativePrompt: NEGATIVE,
    scene: 'Pure white RGB 255,255,255 background, no props, no shadow reaching the edges.',
    style: 'Marketplace main image: sharp, evenly lit, true color.',
  },
  {
    role: 'model',
    required: true,
    aspectRatio: '4:5',
    minLongEdge: 1200,
    generator: 'auto',
    model: DEFAULT_EDIT_MODEL,
    promptTemplate: `Show {{title}}, a {{metal}} {{category}}, worn on ${ctx.wornOn}. ${KEEP_PRODUCT}`,
    negativePrompt: NEGATIVE,
    scene: ctx.wornOn,
    style: 'Natural skin, soft daylight, shallow depth of field, editorial but honest.',
  },
  {
    role: 'detail',
    required: true,
    aspectRatio: '1:1',
    minLongEdge: 1200,
    generator: 'local',
    model: null,
    promptTemplate: 'Close-up of the most detailed part of {{title}}: {{stones}} in {{metal}}.',
    negativePrompt: NEGATIVE,
    scene: 'Close-up crop of the source photo.',
    style: 'Macro detail for inspection and trust.',
  },
  {
    role: 'lifestyle',
    required: false,
    aspectRatio: '16:9',
    minLongEdge: 1600,
    generator: 'auto',
    model: DEFAULT_EDIT_MODEL,
    promptTemplate: `{{title}}, a {{metal}} {{category}}, styled on ${ctx.lifestyle}. ${KEEP_PRODUCT}`,
    negativePrompt: NEGATIVE,
    scene: ctx.lifestyle,
    style: 'Mood and occasion, warm natural light.',
  },
  {
    // Answers "how big is it?" without a model: drawn from the record's mm, refused without them.
    role: 'size',
    required: false,
    aspectRatio: '1:1',
    minLongEdge: 1600,
    generator: 'local',
    model: null,
    scene: 'The product at true scale beside a millimetre ruler and a coin of stated diameter, its dimensions written out.',
    style: 'Plain white, legible text, nothing that is not to scale.',
  },
];

export const DEFAULT_BRIEFS: BriefSeed[] = CONTEXTS.map((ctx) => ({
  seedKey: ctx.seedKey,
  name: ctx.name,
  categories: ctx.categories,
  roles: roleSpecs(ctx),
  slotPlan: DEFAULT_SLOT_PLAN,
}));
