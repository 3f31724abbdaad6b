import type { ModelDescriptionInput } from '../types';

/*
 * google/nano-banana, from its API page on Replicate: `prompt`, `image_input` (an array: "Input
 * images to transform or use as reference"), `aspect_ratio` (match_input_image, 1:1, 2:3, 3:2, 3:4,
 * 4:3, 4:5, 5:4, 9:16, 16:9, 21:9; versions before it was added have no such field and keep the
 * input's ratio), `output_format` (jpg | png). Output: one URI, about 1 MP (1024x1024 at 1:1).
 * No seed and no negative prompt. Google takes inline images up to 7 MB.
 */
export const nanoBanana: ModelDescriptionInput = {
  id: 'google/nano-banana',
  kind: 'edit',
  official: true,
  price: 0.039,
  priceNote: 'per output image',
  use: 'Model and lifestyle shots, a second editing model that keeps identity well across scenes.',
  photo: { field: 'image_input', as: 'array', formats: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 7 * 1024 * 1024, maxPixels: 16_000_000 },
  prompt: { field: 'prompt' },
  aspect: { field: 'aspect_ratio', ratios: ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'], matchInput: 'match_input_image' },
  fixedInput: { output_format: 'png' },
  output: { shape: 'string', size: 'about 1 MP at the asked ratio' },
};
