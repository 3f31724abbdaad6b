/**
 * Normalizers: the server is the source of truth; these accept the documented shapes and the
 * obvious variants (arrays or records keyed by slot/role), so the UI never crashes on a detail.
 */
import { DEFAULT_SLOT_PLAN, type Role } from '../utils/vocabulary';
import { type AnyRecord, isObj, unwrap } from './client';
import { type ImageRef, type Asset, type AssetDetail, CELL_STATES, type CellState, type SlotReadiness, type RoleReadiness, type ReadinessSummary, type Readiness, type ProductSummary, type SlotRule, type Brief, type IntakeReference, type PlannedShot, type Workspace } from './types';

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

/**
 * Readiness as the server computes it (services/readiness.ts): each slot's state for the
 * product's own brief, shown as given, and roles with their latest status.
 */
export const normalizeReadiness = (raw: any, slotPlan: SlotRule[] = DEFAULT_SLOT_PLAN): Readiness => {
  const r = unwrap(raw) ?? {};
  const rolesRaw = r.roles ?? [];
  const roles: RoleReadiness[] = (Array.isArray(rolesRaw) ? rolesRaw : Object.entries(rolesRaw).map(([role, v]: [string, any]) => ({ role, ...(isObj(v) ? v : { status: v }) }))).map(
    (x: AnyRecord) => ({
      role: x.role,
      required: x.required,
      status: x.status ?? x.latest?.status ?? 'missing',
      latest: x.latest ?? null,
    })
  );
  const planRoles = new Map(slotPlan.map((s) => [s.slot, s.roles]));
  const slotsRaw: AnyRecord[] = Array.isArray(r.slots)
    ? r.slots
    : Object.entries(r.slots ?? {}).map(([slot, v]: [string, any]) => ({ slot, ...(isObj(v) ? v : { state: v }) }));
  const slots: SlotReadiness[] = slotsRaw.map((s: AnyRecord) => {
    const fillers: Role[] = s.roles ?? planRoles.get(s.slot) ?? [];
    const asset = isObj(s.asset) ? (s.asset as SlotReadiness['asset']) : null;
    const state: CellState = CELL_STATES.includes(s.state) ? s.state : 'missing';
    return { slot: s.slot, state, role: s.role ?? asset?.role ?? null, roles: fillers, asset, thumbnailUrl: s.thumbnailUrl ?? asset?.thumbnailUrl ?? null };
  });
  const sum = r.summary ?? r.readiness ?? {};
  const summary: ReadinessSummary = {
    filled: sum.filled ?? slots.filter((s) => s.state === 'published').length,
    total: sum.total ?? slots.length,
    missing: sum.missing ?? slots.filter((s) => s.state !== 'published').map((s) => s.slot),
    awaitingReview: sum.awaitingReview ?? roles.filter((x) => x.status === 'in_review').length,
    failed: sum.failed ?? roles.filter((x) => x.status === 'failed').length,
    inProgress: sum.inProgress ?? roles.filter((x) => x.status === 'queued' || x.status === 'generating').length,
    ready: sum.ready ?? slots.every((s) => s.state === 'published'),
  };
  return { slots, roles, summary };
};

export const normalizeProductSummary = (raw: AnyRecord): ProductSummary => ({
  documentId: raw.documentId,
  title: raw.title,
  slug: raw.slug,
  sku: raw.sku,
  category: raw.category,
  metal: raw.metal,
  briefName: raw.brief?.name ?? null,
  sourcePhoto: raw.sourcePhoto ? { ...toImage(raw.sourcePhoto)!, thumbnailUrl: raw.sourcePhoto.thumbnailUrl ?? null } : null,
  readiness: normalizeReadiness({ slots: raw.slots, roles: raw.roles, summary: raw.readiness }, raw.slotPlan ?? DEFAULT_SLOT_PLAN),
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
