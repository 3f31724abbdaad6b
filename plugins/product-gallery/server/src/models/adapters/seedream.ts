import type { ModelDescriptionInput } from '../types';

/*
 * bytedance/seedream-4, from its API page on Replicate: `prompt`, `image_input` (array of 1-10
 * images), `size` (1K | 2K | 4K | custom, default 2K), `aspect_ratio` (match_input_image, 1:1, 4:3,
 * 3:4, 16:9, 9:16, 3:2, 2:3, 21:9: no 4:5), `width`/`height` (custom only),
 * `sequential_image_generation` (disabled | auto), `max_images` (1-15). Output: an ARRAY of URIs
 * (one with sequential generation disabled); 2K is about 4 MP (2304x1728 at 4:3). No seed, no
 * negative prompt. Inputs up to 10 MB each.
 */
export const seedream4: ModelDescriptionInput = {
  id: 'bytedance/seedream-4',
  kind: 'edit',
  official: true,
  price: 0.03,
  priceNote: 'per output image',
  use: 'Model and lifestyle shots at 2K without an upscaling step; the cheapest editing model.',
  photo: { field: 'image_input', as: 'array', formats: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 10 * 1024 * 1024, maxPixels: 16_000_000 },
  prompt: { field: 'prompt' },
  aspect: { field: 'aspect_ratio', ratios: ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'], matchInput: 'match_input_image' },
  fixedInput: { size: '2K', sequential_image_generation: 'disabled', max_images: 1 },
  output: { shape: 'array', size: 'about 4 MP (2K) at the asked ratio, in a one-item list' },
};
