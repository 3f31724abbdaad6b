/**
 * A channel's rules in words, and which of them one channel file breaks (pure: no sharp, no Strapi).
 * Each rule and break carries an id and values so the admin can word it through its translations;
 * `text` is the same in English for the manifest and the API.
 */
import { WHITE_MIN, type ChannelPreset } from './channels';
import type { OutputFormat } from './formats';
import type { Rgb } from './decode';
import type { ChannelRule, ChannelRuleBreak, ChannelRuleBreakId } from '../../../shared/contracts/channel-preview';

/** What is known about one channel file and the shot it was made from. */
export interface ChannelFileFacts {
  role: string;
  format: OutputFormat;
  width: number;
  height: number;
  bytes: number;
  source: { width: number; height: number };
  upscaled: boolean;
  /** Colour the product stands on; absent when it stands in a scene. */
  backdrop?: Rgb;
}

const MB = 1024 * 1024;
const fmt = (f: string) => (f === 'jpeg' ? 'JPEG' : f.toUpperCase());
const mb = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** Roles whose picture has something besides the product: a person, or a scene and objects. */
const MODEL_ROLES = new Set(['model']);
const PROP_ROLES = new Set(['lifestyle', 'size']);

const sizeRule = (p: ChannelPreset): ChannelRule => {
  const fit = p.fit;
  const values: Record<string, string | number> = {};
  let text: string;
  if (fit.mode === 'pad') {
    Object.assign(values, { width: fit.width, height: fit.height });
    text =
      p.background === 'white-required'
        ? `${fit.width}×${fit.height}, the whole product framed on white (never cropped)`
        : `${fit.width}×${fit.height}, cropped around the focal point (padded only when the product would be cut)`;
  } else {
    const side = fit.mode === 'long-edge' ? 'longest side' : fit.mode === 'short-edge' ? 'shortest side' : 'width';
    Object.assign(values, { side, size: fit.size });
    text = `${fit.size} px on the ${side}, the photo's own aspect`;
  }
  const min = p.minShortEdge ? `${p.minShortEdge} px shortest side` : p.minLongEdge ? `${p.minLongEdge} px longest side` : '';
  if (min) {
    values.min = min;
    text += `; at least ${min}`;
  }
  if (p.maxWidth) {
    values.maxWidth = p.maxWidth;
    text += `; at most ${p.maxWidth} px wide`;
  } else if (p.maxLongEdge) {
    values.maxLongEdge = p.maxLongEdge;
    text += `; at most ${p.maxLongEdge} px`;
  }
  return { id: 'size', text, values };
};

/** The channel's rules as a short list (format, size and fit, background, size cap, forbidden, notes). */
export function channelRules(p: ChannelPreset): ChannelRule[] {
  const accepted = p.acceptedFormats.map(fmt).join(', ');
  const rules: ChannelRule[] = [
    { id: 'format', text: `${fmt(p.format)} (accepted: ${accepted}), sRGB`, values: { format: fmt(p.format), accepted } },
    sizeRule(p),
  ];
  const background =
    p.background === 'white-required'
      ? 'Pure white background (255, 255, 255)'
      : p.background === 'white-recommended'
        ? 'White or light background recommended'
        : 'Any background';
  rules.push({ id: 'background', text: background, values: { background: p.background } });
  const cap = p.recommendedMaxBytes ?? p.maxBytes;
  if (cap) rules.push({ id: 'max-bytes', text: `At most ${mb(cap)} per file`, values: { max: mb(cap) } });
  if (p.forbidden.length) rules.push({ id: 'forbidden', text: `No ${p.forbidden.join(', ')}`, values: { list: p.forbidden.join(', ') } });
  rules.push({ id: 'notes', text: p.notes, values: { notes: p.notes } });
  return rules;
}

const isWhite = (c?: Rgb) => Boolean(c && Math.min(c.r, c.g, c.b) >= WHITE_MIN);

/** The rules of `p` that this file breaks, most serious first. */
export function ruleBreaks(p: ChannelPreset, f: ChannelFileFacts): ChannelRuleBreak[] {
  const out: ChannelRuleBreak[] = [];
  const add = (rule: ChannelRuleBreakId, level: ChannelRuleBreak['level'], text: string, values: ChannelRuleBreak['values'] = {}) => out.push({ rule, level, text, values });
  const forbids = (word: string) => p.forbidden.some((x) => x.includes(word));
  if (MODEL_ROLES.has(f.role) && forbids('model')) {
    add('no-model', 'fail', `A ${f.role} shot shows a person: ${p.label} allows no mannequin or model. Use the clean shot here.`, { role: f.role, channel: p.label });
  }
  if (PROP_ROLES.has(f.role) && forbids('props')) {
    add('no-props', 'fail', `A ${f.role} shot has a scene or props: ${p.label} allows the product alone. Use the clean shot here.`, { role: f.role, channel: p.label });
  }
  if (p.background === 'white-required' && !isWhite(f.backdrop)) {
    const seen = f.backdrop ? `rgb(${f.backdrop.r}, ${f.backdrop.g}, ${f.backdrop.b})` : 'a scene';
    add('background', 'fail', `The background is ${seen}, not pure white: ${p.label} requires white.`, { seen });
  }
  if (!p.acceptedFormats.includes(f.format)) {
    add('format', 'fail', `${fmt(f.format)} is not accepted: ${p.label} takes ${p.acceptedFormats.map(fmt).join(', ')}.`, { format: fmt(f.format) });
  }
  const long = Math.max(f.width, f.height);
  const short = Math.min(f.width, f.height);
  if (p.maxWidth && f.width > p.maxWidth) add('max-width', 'fail', `${f.width} px wide: ${p.label} takes at most ${p.maxWidth} px.`, { width: f.width, max: p.maxWidth });
  if (p.maxLongEdge && long > p.maxLongEdge) add('max-long-edge', 'fail', `${long} px: ${p.label} takes at most ${p.maxLongEdge} px.`, { long, max: p.maxLongEdge });
  if ((p.minLongEdge && long < p.minLongEdge) || (p.minShortEdge && short < p.minShortEdge)) {
    const min = p.minShortEdge && short < p.minShortEdge ? `${p.minShortEdge} px on the shortest side` : `${p.minLongEdge} px on the longest side`;
    add('min-size', 'fail', `${f.width}×${f.height} is below the ${min} ${p.label} requires.`, { size: `${f.width}×${f.height}`, min });
  }
  if (f.upscaled) {
    add('upscaled', 'warn', `Enlarged from the ${f.source.width}×${f.source.height} source to ${f.width}×${f.height}: details will look soft. Use a larger source.`, {
      source: `${f.source.width}×${f.source.height}`,
      size: `${f.width}×${f.height}`,
    });
  }
  if (p.maxBytes && f.bytes > p.maxBytes) add('max-bytes', 'fail', `${mb(f.bytes)}: ${p.label} takes at most ${mb(p.maxBytes)}.`, { bytes: mb(f.bytes), max: mb(p.maxBytes) });
  return out;
}
