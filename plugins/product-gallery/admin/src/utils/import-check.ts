import type { AssetView, IntakeLimits } from '../api';
import type { AssetStatus, Role } from './vocabulary';
// Pure arithmetic, bundled into the admin: the form judges frames exactly as the server does.
import { roleRuleBreaks } from '../../../server/src/pipeline/frames';

/**
 * What the import form can tell before uploading, from the file and its pixel size as the browser
 * reads them: what intake would refuse (server: pipeline/intake.ts, the same limits from /config),
 * where the image breaks its role's rules (server: pipeline/frames.ts, imported here), and what the import
 * does to the role's images (server: domain/role-candidates.ts). Each finding is a translation id
 * with its values, so the words are the admin's, saying what the server says.
 */
export interface Finding {
  id: string;
  values: Record<string, string | number>;
}

export interface PixelSize {
  width: number;
  height: number;
}

/** The pixel size the browser decodes (orientation applied), or null when it cannot decode the file (TIFF, HEIC). */
export const measureImage = async (file: Blob): Promise<PixelSize | null> => {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return null;
  }
};

const grouped = (n: number) => n.toLocaleString('en-US');
const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/** "JPEG, PNG or WebP", as intake's hint lists them. */
export const typeList = (types: IntakeLimits['types']) => {
  const labels = types.map((t) => t.label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}` : labels.join('');
};

/** What intake would refuse: the upload is pointless, so the form does not offer it. */
export const intakeProblems = (file: { type: string; size: number }, size: PixelSize | null, limits: IntakeLimits | null): Finding[] => {
  if (!limits) return [];
  const found: Finding[] = [];
  const types = typeList(limits.types);
  if (file.type && !limits.types.some((t) => t.mime === file.type)) {
    found.push({ id: 'import.refused.type', values: { type: file.type.replace(/^image\//, '').toUpperCase(), types } });
  }
  if (file.size > limits.maxBytes) found.push({ id: 'import.refused.bytes', values: { size: sizeText(file.size), limit: sizeText(limits.maxBytes) } });
  if (size && size.width * size.height > limits.maxPixels) {
    found.push({
      id: 'import.refused.pixels',
      values: { width: size.width, height: size.height, megapixels: ((size.width * size.height) / 1e6).toFixed(1), limit: (limits.maxPixels / 1e6).toFixed(0) },
    });
  }
  if (size && Math.min(size.width, size.height) < limits.minShortSide) {
    found.push({ id: 'import.refused.small', values: { width: size.width, height: size.height, min: limits.minShortSide } });
  }
  return found;
};

/** Where the image breaks the brief's rules for its role (the server's own judgement): imported anyway, the checks will flag it. */
export const ruleWarnings = (size: PixelSize, spec: { minLongEdge?: number | null; aspectRatio?: string | null } | undefined): Finding[] =>
  roleRuleBreaks(size, spec).map((b): Finding =>
    b.rule === 'minLongEdge'
      ? { id: 'import.rule.minLongEdge', values: { width: grouped(size.width), height: grouped(size.height), min: grouped(b.required) } }
      : { id: 'import.rule.aspectRatio', values: { actual: b.actual, required: b.required, severity: b.severity } }
  );

const WAITING: readonly AssetStatus[] = ['queued', 'generating', 'draft', 'in_review', 'approved'];

/**
 * What importing for `role` does to its images: only a published image fills a slot, and
 * publishing one archives the role's published image; everything else waits beside it.
 */
export const importEffect = (role: Role, assets: readonly AssetView[], slotCount: number): Finding => {
  const mine = assets.filter((a) => a.role === role);
  const waiting = mine.filter((a) => WAITING.includes(a.status));
  if (!slotCount) return { id: 'import.effect.noSlot', values: {} };
  if (mine.some((a) => a.status === 'published')) return { id: 'import.effect.replaces', values: { waiting: waiting.length } };
  if (waiting.length) return { id: 'import.effect.beside', values: { waiting: waiting.length } };
  return { id: 'import.effect.first', values: {} };
};
