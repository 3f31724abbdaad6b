/**
 * A channel's rules in words and which of them a channel file breaks (pure checks, no images).
 */
import { CHANNEL_PRESETS } from '../../plugins/product-gallery/server/src/pipeline/channels';
import { channelRules, ruleBreaks, type ChannelFileFacts } from '../../plugins/product-gallery/server/src/pipeline/channel-rules';

const white = { r: 255, g: 255, b: 255 };
const file = (over: Partial<ChannelFileFacts> = {}): ChannelFileFacts => ({
  role: 'clean',
  format: 'jpeg',
  width: 2000,
  height: 2000,
  bytes: 400_000,
  source: { width: 3000, height: 3000 },
  upscaled: false,
  backdrop: white,
  ...over,
});
const ids = (breaks: { rule: string }[]) => breaks.map((b) => b.rule);

test('rules in words: format, size and framing, background, size cap, forbidden, notes', () => {
  const main = channelRules(CHANNEL_PRESETS['amazon-main']);
  expect(main.map((r) => r.id)).toEqual(['format', 'size', 'background', 'max-bytes', 'forbidden', 'notes']);
  const text = Object.fromEntries(main.map((r) => [r.id, r.text]));
  expect(text.format).toBe('JPEG (accepted: JPEG, TIFF, GIF), sRGB');
  expect(text.size).toMatch(/^2000×2000, the whole product framed on white \(never cropped\); at least 500 px longest side; at most 2100 px$/);
  expect(text.background).toBe('Pure white background (255, 255, 255)');
  expect(text['max-bytes']).toBe('At most 10 MB per file');
  expect(text.forbidden).toMatch(/mannequin or model, props/);
  const email = Object.fromEntries(channelRules(CHANNEL_PRESETS.email).map((r) => [r.id, r.text]));
  expect(email.size).toMatch(/1200 px on the width.*at most 1200 px wide/);
  expect(email['max-bytes']).toBe('At most 1 MB per file');
  expect(email.forbidden).toBe('No WebP, AVIF');
  expect(channelRules(CHANNEL_PRESETS.pinterest).find((r) => r.id === 'size')!.text).toMatch(/1000×1500, cropped around the focal point/);
});

test('Amazon main: a model shot breaks "no model", lifestyle and size guide break "no props", a clean shot on white breaks nothing', () => {
  const main = CHANNEL_PRESETS['amazon-main'];
  expect(ruleBreaks(main, file())).toEqual([]);
  expect(ids(ruleBreaks(main, file({ role: 'model' })))).toEqual(['no-model']);
  expect(ids(ruleBreaks(main, file({ role: 'lifestyle' })))).toEqual(['no-props']);
  expect(ids(ruleBreaks(main, file({ role: 'size' })))).toEqual(['no-props']);
  expect(ruleBreaks(main, file({ role: 'model' }))[0]).toMatchObject({ level: 'fail', text: expect.stringMatching(/no mannequin or model/) });
  // The same shots are fine as additional images.
  expect(ruleBreaks(CHANNEL_PRESETS['amazon-additional'], file({ role: 'model', backdrop: undefined }))).toEqual([]);
});

test('Amazon main: a non-white backdrop, or a scene, breaks the white-background rule', () => {
  const main = CHANNEL_PRESETS['amazon-main'];
  expect(ids(ruleBreaks(main, file({ backdrop: { r: 230, g: 228, b: 225 } })))).toEqual(['background']);
  expect(ruleBreaks(main, file({ backdrop: undefined }))[0].text).toMatch(/a scene, not pure white/);
  expect(ruleBreaks(main, file({ backdrop: { r: 248, g: 250, b: 252 } }))).toEqual([]);
});

test('email: at most 1200 px wide, JPEG/PNG/GIF only, at most 1 MB', () => {
  const email = CHANNEL_PRESETS.email;
  expect(ruleBreaks(email, file({ width: 1200, height: 800 }))).toEqual([]);
  expect(ids(ruleBreaks(email, file({ width: 1600, height: 1000 })))).toEqual(['max-width']);
  expect(ids(ruleBreaks(email, file({ width: 1200, height: 800, format: 'webp' })))).toEqual(['format']);
  expect(ids(ruleBreaks(email, file({ width: 1200, height: 800, bytes: 2 * 1024 * 1024 })))).toEqual(['max-bytes']);
});

test('minimum sizes, and an enlargement beyond the source', () => {
  const google = CHANNEL_PRESETS.google;
  expect(ids(ruleBreaks(google, file({ width: 400, height: 300 })))).toEqual(['min-size']);
  const up = ruleBreaks(CHANNEL_PRESETS['amazon-main'], file({ width: 1000, height: 1000, source: { width: 540, height: 544 }, upscaled: true }));
  expect(up).toEqual([expect.objectContaining({ rule: 'upscaled', level: 'warn', text: expect.stringMatching(/540×544 source to 1000×1000/) })]);
  expect(ids(ruleBreaks(CHANNEL_PRESETS['amazon-main'], file({ width: 2400, height: 2400 })))).toEqual(['max-long-edge']);
});
