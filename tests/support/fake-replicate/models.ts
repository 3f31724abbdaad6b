/**
 * What the fake knows of real models: each one's published input schema (from its API page on
 * Replicate), whether it is official, its version, and the size and shape of what it returns.
 * Written from the models' pages, not from the app's registry: the fake is what the app is checked
 * against, so it must not be derived from the app.
 */

type Prop =
  | { type: 'string'; enum?: string[]; format?: 'uri' }
  | { type: 'integer' | 'number'; minimum?: number; maximum?: number }
  | { type: 'boolean' }
  | { type: 'array'; items: { type: 'string'; format?: 'uri' }; maxItems?: number };

export interface FakeModel {
  official: boolean;
  /** Community models run only by this version. */
  version?: string;
  properties: Record<string, Prop>;
  required: string[];
  /** The image input used to make the output, and how big the output is. */
  photoField: string;
  output: 'string' | 'array';
  size(input: Record<string, unknown>, source: { width: number; height: number } | undefined): { width: number; height: number };
  /** Background removers answer a PNG with alpha. */
  cutout?: boolean;
}

const ratioOf = (value: unknown, source: { width: number; height: number } | undefined): number => {
  if (typeof value === 'string' && /^\d+:\d+$/.test(value)) {
    const [w, h] = value.split(':').map(Number);
    return w! / h!;
  }
  return source ? source.width / source.height : 1;
};
/** An output of about `pixels` at `ratio`, sides multiples of 16 (as the diffusion models give). */
const atPixels = (pixels: number, ratio: number) => ({
  width: Math.max(16, Math.round(Math.sqrt(pixels * ratio) / 16) * 16),
  height: Math.max(16, Math.round(Math.sqrt(pixels / ratio) / 16) * 16),
});
const sameAs = (source: { width: number; height: number } | undefined) => source ?? { width: 512, height: 512 };

const KONTEXT_RATIOS = ['match_input_image', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9', '9:21', '2:1', '1:2'];
const kontext: FakeModel = {
  official: true,
  properties: {
    prompt: { type: 'string' },
    input_image: { type: 'string', format: 'uri' },
    aspect_ratio: { type: 'string', enum: KONTEXT_RATIOS },
    prompt_upsampling: { type: 'boolean' },
    seed: { type: 'integer' },
    output_format: { type: 'string', enum: ['jpg', 'png'] },
    safety_tolerance: { type: 'integer', minimum: 0, maximum: 6 },
  },
  required: ['prompt'],
  photoField: 'input_image',
  output: 'string',
  // "All outputs are ~1MP"; match_input_image is the default.
  size: (input, source) => atPixels(1_000_000, ratioOf(input.aspect_ratio ?? 'match_input_image', source)),
};

export const FAKE_MODELS: Record<string, FakeModel> = {
  'black-forest-labs/flux-kontext-pro': kontext,
  'black-forest-labs/flux-kontext-max': kontext,
  'google/nano-banana': {
    official: true,
    properties: {
      prompt: { type: 'string' },
      image_input: { type: 'array', items: { type: 'string', format: 'uri' } },
      aspect_ratio: { type: 'string', enum: ['match_input_image', '1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] },
      output_format: { type: 'string', enum: ['jpg', 'png'] },
    },
    required: ['prompt'],
    photoField: 'image_input',
    output: 'string',
    size: (input, source) => atPixels(1024 * 1024, ratioOf(input.aspect_ratio ?? 'match_input_image', source)),
  },
  'bytedance/seedream-4': {
    official: true,
    properties: {
      prompt: { type: 'string' },
      image_input: { type: 'array', items: { type: 'string', format: 'uri' }, maxItems: 10 },
      size: { type: 'string', enum: ['1K', '2K', '4K', 'custom'] },
      aspect_ratio: { type: 'string', enum: ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] },
      width: { type: 'integer', minimum: 1024, maximum: 4096 },
      height: { type: 'integer', minimum: 1024, maximum: 4096 },
      sequential_image_generation: { type: 'string', enum: ['disabled', 'auto'] },
      max_images: { type: 'integer', minimum: 1, maximum: 15 },
    },
    required: ['prompt'],
    photoField: 'image_input',
    output: 'array',
    size: (input, source) => {
      const side = input.size === '1K' ? 1024 : input.size === '4K' ? 4096 : 2048;
      return atPixels(side * side, ratioOf(input.aspect_ratio ?? 'match_input_image', source));
    },
  },
  'recraft-ai/recraft-remove-background': {
    official: true,
    properties: { image: { type: 'string', format: 'uri' } },
    required: ['image'],
    photoField: 'image',
    output: 'string',
    size: (_input, source) => sameAs(source),
    cutout: true,
  },
  '851-labs/background-remover': {
    official: false,
    version: 'a029dff38972b5fda4ec5d75d7d1cd25aeff621d2cf4946a41055d7db66b80bc',
    properties: {
      image: { type: 'string', format: 'uri' },
      format: { type: 'string', enum: ['png', 'jpg', 'webp'] },
      reverse: { type: 'boolean' },
      threshold: { type: 'number', minimum: 0, maximum: 1 },
      background_type: { type: 'string' },
    },
    required: ['image'],
    photoField: 'image',
    output: 'string',
    size: (_input, source) => sameAs(source),
    cutout: true,
  },
  'black-forest-labs/flux-fill-pro': {
    official: true,
    properties: {
      prompt: { type: 'string' },
      image: { type: 'string', format: 'uri' },
      mask: { type: 'string', format: 'uri' },
      outpaint: { type: 'string' },
      seed: { type: 'integer' },
      steps: { type: 'integer', minimum: 1, maximum: 50 },
      prompt_upsampling: { type: 'boolean' },
      guidance: { type: 'number', minimum: 2, maximum: 5 },
      safety_tolerance: { type: 'integer', minimum: 1, maximum: 6 },
      output_format: { type: 'string', enum: ['jpg', 'png'] },
    },
    required: ['image'],
    photoField: 'image',
    output: 'string',
    size: (_input, source) => sameAs(source),
  },
  'nightmareai/real-esrgan': {
    official: false,
    version: '42fed1c4974146d4d4414e2be2c5277c7fcf05fde3b22e94cee859b8a4a39d44',
    properties: {
      image: { type: 'string', format: 'uri' },
      scale: { type: 'number', minimum: 0, maximum: 10 },
      face_enhance: { type: 'boolean' },
    },
    required: ['image'],
    photoField: 'image',
    output: 'string',
    size: (input, source) => {
      const s = typeof input.scale === 'number' ? input.scale : 4;
      const base = sameAs(source);
      return { width: Math.round(base.width * s), height: Math.round(base.height * s) };
    },
  },
};

export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

const typeOk = (prop: Prop, value: unknown): boolean => {
  switch (prop.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
};

/**
 * Validates an input like Replicate's cog schema check: required fields, types, enums and ranges.
 * Fields the schema does not name are ignored (Replicate drops them).
 */
export function validateInput(model: FakeModel, input: Record<string, unknown>): InvalidField[] {
  const invalid: InvalidField[] = [];
  for (const name of model.required) {
    if (!(name in input)) invalid.push({ type: 'required', field: 'input', description: `${name} is required` });
  }
  for (const [name, value] of Object.entries(input)) {
    const prop = model.properties[name];
    if (!prop) continue;
    const field = `input.${name}`;
    if (!typeOk(prop, value)) {
      invalid.push({ type: 'invalid_type', field, description: `Invalid type. Expected: ${prop.type}, given: ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` });
      continue;
    }
    if (prop.type === 'string' && prop.enum && !prop.enum.includes(value as string)) {
      invalid.push({ type: 'enum', field, description: `${name} must be one of the following: ${prop.enum.map((e) => `"${e}"`).join(', ')}` });
    }
    if ((prop.type === 'integer' || prop.type === 'number') && typeof value === 'number') {
      if (prop.minimum !== undefined && value < prop.minimum) invalid.push({ type: 'number_gte', field, description: `Must be greater than or equal to ${prop.minimum}` });
      if (prop.maximum !== undefined && value > prop.maximum) invalid.push({ type: 'number_lte', field, description: `Must be less than or equal to ${prop.maximum}` });
    }
    if (prop.type === 'array' && prop.maxItems !== undefined && (value as unknown[]).length > prop.maxItems) {
      invalid.push({ type: 'array_max_items', field, description: `Array must have at most ${prop.maxItems} items` });
    }
  }
  return invalid;
}
