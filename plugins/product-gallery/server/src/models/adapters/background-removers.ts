import type { ModelDescriptionInput } from '../types';

/*
 * recraft-ai/recraft-remove-background (official), from its API page on Replicate: one input,
 * `image`: "Supported formats: PNG, JPG, WEBP. Max 5MB, max 16MP, max dimension 4096px, min
 * dimension 256px." Output: one URI, a PNG with alpha at the input's size. $0.01 a run.
 */
export const recraftRemoveBackground: ModelDescriptionInput = {
  id: 'recraft-ai/recraft-remove-background',
  kind: 'cutout',
  official: true,
  price: 0.01,
  priceNote: 'per run',
  use: "A second opinion on the source photo's cutout when the local one is uncertain.",
  photo: { field: 'image', as: 'string', formats: ['image/png', 'image/jpeg', 'image/webp'], maxBytes: 5 * 1024 * 1024, maxPixels: 16_000_000, maxSide: 4096, minSide: 256 },
  output: { shape: 'string', size: "the input's size, PNG with alpha" },
};

/*
 * 851-labs/background-remover (community: runs only by version on /v1/predictions), from its API
 * page: `image`, `format` (png | jpg...), `reverse`, `threshold`, `background_type` (rgba, white,
 * green...). Output: one URI. Billed by GPU time, a fraction of a cent a run: booked at an upper
 * estimate so it still counts against the caps.
 */
export const labs851BackgroundRemover: ModelDescriptionInput = {
  id: '851-labs/background-remover',
  kind: 'cutout',
  official: false,
  version: 'a029dff38972b5fda4ec5d75d7d1cd25aeff621d2cf4946a41055d7db66b80bc',
  price: 0.005,
  priceNote: 'billed by GPU time; booked at an upper estimate per run',
  use: 'A cheaper second-opinion cutout (community model).',
  photo: { field: 'image', as: 'string', formats: ['image/png', 'image/jpeg', 'image/webp'], maxBytes: 20 * 1024 * 1024, maxPixels: 16_000_000 },
  fixedInput: { format: 'png', background_type: 'rgba' },
  output: { shape: 'string', size: "the input's size, PNG with alpha" },
};
