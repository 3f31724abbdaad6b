import type { Wording } from './error';

/**
 * A brief's fields as the brief editor labels them (admin translations briefs.field.*, role.*,
 * slot.*), so a 400 reads "On model › Min. long edge must be at least 300 px" and not
 * "roles.1.minLongEdge: ...". The path stays in the error's details for the editor to place it.
 */
const ROLE_NAMES: Record<string, string> = {
  clean: 'Clean',
  model: 'On model',
  detail: 'Detail',
  lifestyle: 'Lifestyle',
  size: 'Size guide',
};

const SLOT_NAMES: Record<string, string> = {
  grid: 'Grid',
  hero: 'Hero',
  'gallery-2': 'Gallery 2',
  'gallery-3': 'Gallery 3',
  campaign: 'Campaign',
};

const ROLE_FIELDS: Record<string, string> = {
  role: 'Role',
  required: 'Required',
  aspectRatio: 'Aspect ratio',
  minLongEdge: 'Min. long edge',
  generator: 'Generator',
  model: 'Model',
  promptTemplate: 'Prompt template',
  negativePrompt: 'Negative prompt',
  scene: 'Scene',
  style: 'Style',
  fill: 'Fill',
  sceneImage: 'Scene image',
  sceneAnchor: 'Scene anchor',
  sceneAngle: 'Scene angle',
  scenePxPerMm: 'Scene scale (px per mm)',
  allowScenePreviews: 'Count scene previews',
};

const TOP_FIELDS: Record<string, string> = {
  name: 'Name',
  categories: 'Categories',
  roles: 'Roles',
  slotPlan: 'Slot plan',
  product: 'Product',
};

const at = (input: unknown, ...keys: (string | number)[]) =>
  keys.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);

const itemName = (names: Record<string, string>, value: unknown, fallback: string) =>
  (typeof value === 'string' && names[value]) || fallback;

const field = (path: (string | number)[], input: unknown): string => {
  const [top, index, key] = path;
  const name = TOP_FIELDS[String(top)] ?? (top === undefined ? 'The brief' : String(top));
  if (index === undefined || typeof index !== 'number') return name;
  if (top === 'roles') {
    const role = itemName(ROLE_NAMES, at(input, 'roles', index, 'role'), `Role ${index + 1}`);
    return key === undefined ? role : `${role} › ${ROLE_FIELDS[String(key)] ?? String(key)}`;
  }
  if (top === 'slotPlan') return `${name} › ${itemName(SLOT_NAMES, at(input, 'slotPlan', index, 'slot'), `row ${index + 1}`)}`;
  return name;
};

const kind: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'on or off',
  array: 'a list',
  object: 'a set of fields',
};

/** zod's own messages (those a schema didn't word) in an editor's words. */
const issue: NonNullable<Wording['issue']> = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'is required' : `must be ${kind[iss.expected] ?? iss.expected}`;
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'cannot be empty' : `must be at least ${iss.minimum} characters`;
      if (iss.origin === 'array') return `needs at least ${iss.minimum}`;
      return `must be at least ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${iss.maximum} characters`;
      if (iss.origin === 'array') return `can have at most ${iss.maximum}`;
      return `must be at most ${iss.maximum}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `has fields a brief does not know: ${iss.keys.join(', ')}`;
    default:
      return undefined;
  }
};

export const briefWording: Wording = { field, issue };
