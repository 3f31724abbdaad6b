/**
 * The shapes still read without a shared contract (assets, the workspace, the reference): these
 * accept the documented shapes and their variants until those endpoints are typed in
 * shared/contracts as readiness and config are.
 */
import type { Role } from '../utils/vocabulary';
import { type AnyRecord, isObj, unwrap } from './client';
import type { ImageRef, Asset, AssetDetail, Brief, IntakeReference, PlannedShot, Workspace } from './types';

const toImage = (raw: any): ImageRef | null => {
  if (!raw) return null;
  if (typeof raw === 'string') return { url: raw };
  if (isObj(raw) && typeof raw.url === 'string') {
    return { url: raw.url, width: raw.width ?? null, height: raw.height ?? null, mime: raw.mime ?? null, name: raw.name ?? null };
  }
  return null;
};

export const normalizeAsset = (raw: any): Asset => ({
  ...raw,
  file: toImage(raw?.file),
  qc: Array.isArray(raw?.qc) ? raw.qc : Array.isArray(raw?.qc?.checks) ? raw.qc.checks : raw?.qc ? [] : null,
  qcStatus: raw?.qcStatus ?? raw?.qc?.status ?? null,
});

export const messages = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((x) => (typeof x === 'string' ? x : x?.message ?? x?.code ?? '')).filter(Boolean) : [];

/** GET /products/:documentId (product, sourcePhoto, reference, brief, plan) + GET /assets?product= */
export const normalizeWorkspace = (body: any, assetsBody: any): Workspace => {
  const d = unwrap(body) ?? {};
  const product = d.product ?? d;
  const brief: Brief | null = d.brief ?? null;
  const assets: Asset[] = ((unwrap(assetsBody) ?? []) as any[]).map(normalizeAsset);
  const live = assets.filter((a) => a.status !== 'archived');
  const latest = (role: Role) =>
    live.filter((a) => a.role === role).sort((x, y) => String(y.updatedAt ?? '').localeCompare(String(x.updatedAt ?? '')))[0];
  const shots: AnyRecord[] = d.plan?.shots ?? (Array.isArray(d.plan) ? d.plan : null) ?? brief?.roles ?? [];
  const plan: PlannedShot[] = shots.map((s) => ({
    role: s.role,
    required: s.required !== false,
    generator: s.generator ?? null,
    model: s.model ?? null,
    prompt: s.prompt ?? null,
    aspectRatio: s.aspectRatio ?? null,
    minLongEdge: s.minLongEdge ?? null,
    status: latest(s.role)?.status ?? s.existing?.status ?? 'missing',
  }));
  const ref = d.reference;
  const reference: IntakeReference | null = ref
    ? {
        confidence: typeof ref.cutout?.confidence === 'number' ? ref.cutout.confidence : typeof ref.confidence === 'number' ? ref.confidence : null,
        needsReview: Boolean(ref.needsReview),
        reasons: messages(ref.cutout?.reasons ?? ref.reasons),
        warnings: messages(ref.warnings),
        intake: ref.intake ?? null,
      }
    : null;
  return {
    product,
    source: toImage(d.sourcePhoto ?? d.source ?? product.sourcePhoto),
    reference,
    cutoutUrl: ref?.cutoutUrl ?? d.cutoutUrl ?? null,
    brief,
    plan,
    missingRoles: d.plan?.missingRoles ?? plan.filter((p) => p.status === 'missing').map((p) => p.role),
    assets,
  };
};

export const normalizeAssetDetail = (body: any): AssetDetail => {
  const d = unwrap(body) ?? {};
  const asset = normalizeAsset(d.asset ?? d);
  return {
    asset,
    source: toImage(d.source ?? d.sourcePhoto),
    candidate: toImage(d.candidate) ?? asset.file ?? null,
    qc: (Array.isArray(d.qc) ? d.qc : asset.qc) ?? [],
    provenance: d.provenance ?? asset.provenance ?? null,
    history: d.history ?? d.audit ?? [],
    product: d.product ?? asset.product ?? null,
  };
};
