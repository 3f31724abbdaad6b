import type { ModelDescriptionInput } from '../types';

/*
 * black-forest-labs/flux-fill-pro, from its API page on Replicate: `prompt`, `image` ("Can contain
 * an alpha mask. Must be jpeg, png, gif, or webp"), `mask` (black kept, white inpainted, same size
 * as image), `outpaint`, `seed`, `steps` (1-50), `prompt_upsampling`, `guidance` (2-5),
 * `safety_tolerance` (1-6), `output_format` (jpg | png, default jpg). Output: one URI.
 */
export const fluxFillPro: ModelDescriptionInput = {
  id: 'black-forest-labs/flux-fill-pro',
  kind: 'inpaint',
  official: true,
  price: 0.05,
  priceNote: 'per output image',
  use: 'Inpainting and outpainting around the untouched product (extending a scene to a wider ratio).',
  photo: { field: 'image', as: 'string', formats: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], maxBytes: 20 * 1024 * 1024, maxPixels: 20_000_000 },
  prompt: { field: 'prompt' },
  seedField: 'seed',
  fixedInput: { output_format: 'png', safety_tolerance: 2 },
  output: { shape: 'string', size: "about the input's size" },
};
