import type { ModelDescriptionInput } from '../types';

/*
 * nightmareai/real-esrgan (community: by version on /v1/predictions), from its API page: `image`,
 * `scale` (number, default 4, "Factor to scale image by", up to 10), `face_enhance` (boolean,
 * GFPGAN). Output: one URI at the input's size times scale. It runs out of GPU memory on large
 * inputs, so what it is given is kept near 2 MP; what it is given here is a ~1 MP AI output.
 * Billed by GPU time (seconds on a T4): booked at an upper estimate per run.
 */
export const realEsrgan: ModelDescriptionInput = {
  id: 'nightmareai/real-esrgan',
  kind: 'upscale',
  official: false,
  version: '42fed1c4974146d4d4414e2be2c5277c7fcf05fde3b22e94cee859b8a4a39d44',
  price: 0.005,
  priceNote: 'billed by GPU time; booked at an upper estimate per run',
  use: 'Upscales an AI output below the role minimum (about 1 MP from the editing models) before QC.',
  photo: { field: 'image', as: 'string', formats: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 20 * 1024 * 1024, maxPixels: 2_100_000 },
  scale: { field: 'scale', max: 10 },
  fixedInput: { face_enhance: false },
  output: { shape: 'string', size: "the input's size times scale" },
};
