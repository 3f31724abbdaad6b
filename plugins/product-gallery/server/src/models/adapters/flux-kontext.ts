import type { ModelDescriptionInput } from '../types';

/*
 * black-forest-labs/flux-kontext-pro and -max, from their API pages on Replicate:
 * input `prompt`, `input_image` ("Must be jpeg, png, gif, or webp"), `aspect_ratio` (default
 * match_input_image), `prompt_upsampling`, `seed`, `output_format` (jpg | png, default png),
 * `safety_tolerance` (0-6, "2 is currently the maximum allowed when input images are used").
 * Output: one URI. Black Forest Labs: "all outputs are ~1MP" whatever the ratio, and the input
 * image is limited to 20 MB / 20 MP. No negative prompt field: the prompt says what must stay.
 */
const KONTEXT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9', '9:21', '2:1', '1:2'];

const kontext = (id: string, price: number, use: string): ModelDescriptionInput => ({
  id,
  kind: 'edit',
  official: true,
  price,
  priceNote: 'per output image',
  use,
  photo: { field: 'input_image', as: 'string', formats: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], maxBytes: 20 * 1024 * 1024, maxPixels: 20_000_000 },
  prompt: { field: 'prompt' },
  aspect: { field: 'aspect_ratio', ratios: KONTEXT_RATIOS, matchInput: 'match_input_image' },
  seedField: 'seed',
  fixedInput: { output_format: 'png', safety_tolerance: 2 },
  output: { shape: 'string', size: 'about 1 MP at the asked ratio (e.g. 896x1120 for 4:5)' },
});

export const fluxKontextPro = kontext(
  'black-forest-labs/flux-kontext-pro',
  0.04,
  'Model and lifestyle shots: the product photo edited into a worn or styled scene (the default).'
);

export const fluxKontextMax = kontext(
  'black-forest-labs/flux-kontext-max',
  0.08,
  'Model and lifestyle shots where fine detail (engraving, small stones) matters more than price.'
);
