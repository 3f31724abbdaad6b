/**
 * The plugin's one admin API client: every request to /product-gallery goes through here,
 * through Strapi's fetch client (admin JWT, token refresh) and react-query (server state).
 * Errors become notifications carrying the server's message.
 */
import { useCallback, useState } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryKey } from 'react-query';
import { useAuth, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { serverMessage, serverStatus } from '../utils/errors';
import { fieldProblems } from '../utils/field-errors';
import { backendURL } from '../utils/urls';
import {
  BUSY_STATUSES,
  DEFAULT_SLOT_PLAN,
  type AssetStatus,
  type Category,
  type Channel,
  type Role,
  type Slot,
} from '../utils/vocabulary';

/* -------------------------------------------------------------------------------------------------
 * Types (the admin API contract, issue 5)
 * -----------------------------------------------------------------------------------------------*/

export interface ImageRef {
  url: string;
  width?: number | null;
  height?: number | null;
  mime?: string | null;
  name?: string | null;
}

export interface QcResult {
  id: string;
  status: 'pass' | 'warn' | 'unverified' | 'fail';
  value?: unknown;
  threshold?: unknown;
  /** What value and threshold are in (server: pipeline/qc.ts QcUnit). */
  unit?: string;
  message?: string | null;
}

export interface AuditEvent {
  id?: number | string;
  from: AssetStatus | null;
  to: AssetStatus;
  actor?: string | null;
  /** The admin's name (server: services/assets.ts review), or null. */
  actorName?: string | null;
  /** Which part of the plugin made a move by itself ('dispatcher'), or null. */
  system?: string | null;
  at: string;
  note?: string | null;
  override?: boolean | null;
}

export interface Asset {
  documentId: string;
  role: Role;
  slot?: Slot | null;
  status: AssetStatus;
  /** Where a generating shot is (server: services/assets.ts). */
  stage?: 'making' | 'replicate' | 'checking' | null;
  version: number;
  file?: ImageRef | null;
  alt?: string | null;
  width?: number | null;
  height?: number | null;
  renditions?: unknown;
  placeholder?: string | null;
  qc?: QcResult[] | null;
  qcStatus?: 'pass' | 'warn' | 'unverified' | 'fail' | null;
  /** Approved despite failed or undecided checks: the reviewer's written reason (server: services/assets.ts). */
  approvalOverride?: { reason: string; by: string; at: string } | null;
  provenance?: Record<string, unknown> | null;
  error?: string | null;
  prompt?: string | null;
  updatedAt?: string;
  createdAt?: string;
  product?: { documentId: string; title?: string; slug?: string; sku?: string } | null;
}

export interface AssetDetail {
  asset: Asset;
  source?: ImageRef | null;
  candidate?: ImageRef | null;
  qc: QcResult[];
  provenance?: Record<string, unknown> | null;
  history: AuditEvent[];
  product?: { documentId: string; title?: string; slug?: string; sku?: string } | null;
}

/** A slot's state as the server judges it against the product's own brief (server: domain/slot-state.ts). */
export const CELL_STATES = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'] as const;
export type CellState = (typeof CELL_STATES)[number];

export interface SlotReadiness {
  slot: Slot;
  state: CellState;
  /** The role that fills it (published) or whose shot gives the state. */
  role?: Role | null;
  /** Roles that may fill the slot, in fallback order. */
  roles?: Role[];
  thumbnailUrl?: string | null;
  asset?: { documentId: string; role: Role; url?: string | null; thumbnailUrl?: string | null } | null;
}

export interface RoleReadiness {
  role: Role;
  required?: boolean;
  status: AssetStatus | 'missing';
  latest?: { documentId: string; status: AssetStatus; version: number; qcStatus?: string | null } | null;
}

export interface ReadinessSummary {
  filled: number;
  total: number;
  missing: Slot[];
  awaitingReview: number;
  failed: number;
  inProgress: number;
  ready: boolean;
}

export interface Readiness {
  slots: SlotReadiness[];
  roles: RoleReadiness[];
  summary: ReadinessSummary;
}

export interface ProductSummary {
  documentId: string;
  title: string;
  slug?: string;
  sku?: string;
  category?: Category;
  metal?: string;
  sourcePhoto?: (ImageRef & { thumbnailUrl?: string | null }) | null;
  briefName?: string | null;
  readiness: Readiness;
}

export interface ProductCounts {
  total: number;
  ready: number;
  awaitingReview: number;
  missingAny: number;
  failed: number;
  missingBySlot: Record<string, number>;
  /** Shots (not products) in review. */
  shotsAwaitingReview?: number;
  /** Matrix cells by state, over the rows the filters keep. */
  slotStates?: Partial<Record<CellState, number>>;
}

export interface RoleSpec {
  id?: number;
  role: Role;
  required: boolean;
  aspectRatio: string;
  minLongEdge: number;
  generator: 'auto' | 'local' | 'replicate';
  model?: string | null;
  promptTemplate?: string | null;
  negativePrompt?: string | null;
  scene?: string | null;
  style?: string | null;
  fill?: number | null;
  [key: string]: unknown;
}

export interface SlotRule {
  id?: number;
  slot: Slot;
  roles: Role[];
}

export interface Brief {
  documentId: string;
  name: string;
  categories: Category[] | null;
  roles: RoleSpec[];
  slotPlan: SlotRule[];
  version: number;
  updatedAt?: string;
}

export interface IntakeReference {
  confidence: number | null;
  needsReview: boolean;
  reasons: string[];
  warnings: string[];
  intake?: { format?: string; width?: number; height?: number; bytes?: number } | null;
}

export interface PlannedShot {
  role: Role;
  required: boolean;
  generator?: string | null;
  model?: string | null;
  prompt?: string | null;
  aspectRatio?: string | null;
  minLongEdge?: number | null;
  status: AssetStatus | 'missing';
}

export interface Workspace {
  product: {
    documentId: string;
    title: string;
    slug?: string;
    sku?: string;
    category?: Category;
    metal?: string;
    description?: string | null;
    stones?: unknown[];
    dimensions?: Record<string, unknown> | null;
  };
  source?: ImageRef | null;
  reference?: IntakeReference | null;
  cutoutUrl?: string | null;
  brief?: Brief | null;
  plan: PlannedShot[];
  missingRoles: Role[];
  assets: Asset[];
}

export interface RenderedPrompt {
  role: Role;
  prompt: string;
  negativePrompt?: string;
}

/** What intake refuses before any check runs (server: pipeline/intake.ts, config pipeline). */
export interface IntakeLimits {
  types: { label: string; mime: string }[];
  maxBytes: number;
  maxPixels: number;
  minShortSide: number;
}

export interface PluginConfig {
  replicateConfigured: boolean;
  channels: Channel[];
  intake: IntakeLimits | null;
}

/** Where an import breaks its role's rules (server: pipeline/role-rules.ts). */
export interface RoleRuleWarning {
  rule: 'minLongEdge' | 'aspectRatio';
  required: number | string;
  actual: number | string;
  message: string;
}

/** Which of the role's images fills its slot, once the import is in (server: domain/role-candidates.ts). */
export interface RoleCandidates {
  role: Role;
  slots: Slot[];
  onPage: { documentId: string; status: 'published' } | null;
  waiting: { documentId: string; status: AssetStatus }[];
  message: string;
}

export interface ImportResult {
  asset: Asset;
  warnings: RoleRuleWarning[];
  candidates: RoleCandidates | null;
}

export interface GallerySlot {
  slot: Slot;
  role: Role;
  image: {
    url: string;
    width: number;
    height: number;
    mime?: string;
    alt?: string;
    focalPoint?: { x: number; y: number } | null;
    thumbhash?: string | null;
    sources?: { url: string; width: number; height: number; format: string }[];
  };
}

export interface Gallery {
  product: { documentId: string; slug: string; sku?: string; title: string; category?: string };
  slots: GallerySlot[];
  updatedAt?: string;
}

/* -------------------------------------------------------------------------------------------------
 * Normalizers: the server is the source of truth; these accept the documented shapes and the
 * obvious variants (arrays or records keyed by slot/role), so the UI never crashes on a detail.
 * -----------------------------------------------------------------------------------------------*/

type AnyRecord = Record<string, any>;
const isObj = (v: unknown): v is AnyRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
const unwrap = (body: any) => (isObj(body) && 'data' in body ? body.data : body);

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

const normalizeProductSummary = (raw: AnyRecord): ProductSummary => ({
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

const messages = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((x) => (typeof x === 'string' ? x : x?.message ?? x?.code ?? '')).filter(Boolean) : [];

/** GET /products/:documentId (product, sourcePhoto, reference, brief, plan) + GET /assets?product= */
const normalizeWorkspace = (body: any, assetsBody: any): Workspace => {
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

const normalizeAssetDetail = (body: any): AssetDetail => {
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

/* -------------------------------------------------------------------------------------------------
 * Hooks
 * -----------------------------------------------------------------------------------------------*/

const BASE = '/product-gallery';
export const keys = {
  all: ['product-gallery'] as const,
  products: (filters: ProductFilters) => ['product-gallery', 'products', filters] as const,
  product: (id: string) => ['product-gallery', 'product', id] as const,
  readiness: (id: string) => ['product-gallery', 'readiness', id] as const,
  assets: (filters: AssetFilters) => ['product-gallery', 'assets', filters] as const,
  asset: (id: string) => ['product-gallery', 'asset', id] as const,
  briefs: ['product-gallery', 'briefs'] as const,
  brief: (id: string) => ['product-gallery', 'brief', id] as const,
  config: ['product-gallery', 'config'] as const,
  gallery: (slug: string, channel?: string) => ['product-gallery', 'gallery', slug, channel ?? ''] as const,
  channelPreview: (id: string, channel: string) => ['product-gallery', 'channel-preview', id, channel] as const,
};

/** Shows a server error as a notification with the server's own message. */
export const useNotifyError = () => {
  const { toggleNotification } = useNotification();
  return useCallback(
    (error: unknown) => toggleNotification({ type: 'danger', message: serverMessage(error) }),
    [toggleNotification]
  );
};

const clean = (params: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== null && v !== false));

export interface ProductFilters {
  category?: string;
  missing?: string;
  awaiting?: boolean;
  q?: string;
  page?: number;
  pageSize?: number;
}

export const useProducts = (filters: ProductFilters) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.products(filters),
    async () => {
      const params = clean({ ...filters, awaiting: filters.awaiting ? 'true' : undefined });
      const res = await get<any>(`${BASE}/products`, { params });
      const list = (unwrap(res.data) ?? []) as AnyRecord[];
      const products = list.map(normalizeProductSummary);
      const meta = res.data?.meta ?? {};
      const c = meta.counts ?? {};
      const counts: ProductCounts = {
        total: c.total ?? meta.pagination?.total ?? products.length,
        ready: c.ready ?? products.filter((p) => p.readiness.summary.ready).length,
        awaitingReview: c.awaitingReview ?? products.filter((p) => p.readiness.summary.awaitingReview > 0).length,
        missingAny: c.missingAny ?? products.filter((p) => p.readiness.summary.missing.length > 0).length,
        failed: c.failed ?? products.filter((p) => p.readiness.summary.failed > 0).length,
        missingBySlot: c.missingBySlot ?? {},
        shotsAwaitingReview: c.shotsAwaitingReview,
        slotStates: c.slotStates,
      };
      return { products, counts, pagination: meta.pagination as { page: number; pageCount: number; total: number } | undefined };
    },
    { onError, keepPreviousData: true }
  );
};

const anyBusy = (assets: Asset[] | undefined) => (assets ?? []).some((a) => BUSY_STATUSES.includes(a.status));

export const useWorkspace = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.product(documentId ?? ''),
    async () => {
      const [product, assets] = await Promise.all([
        get<any>(`${BASE}/products/${documentId}`),
        get<any>(`${BASE}/assets`, { params: { product: documentId, pageSize: 100 } }),
      ]);
      return normalizeWorkspace(product.data, assets.data);
    },
    {
      enabled: Boolean(documentId),
      onError,
      // Live progress: poll while any shot is queued or generating.
      refetchInterval: (data) => (anyBusy(data?.assets) ? 1500 : false),
    }
  );
};

export const useReadiness = (documentId: string | undefined, slotPlan?: SlotRule[]) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.readiness(documentId ?? ''),
    async () => normalizeReadiness((await get<any>(`${BASE}/products/${documentId}/readiness`)).data, slotPlan),
    { enabled: Boolean(documentId), onError, retry: false }
  );
};

const useInvalidateAll = () => {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries(keys.all as unknown as QueryKey), [client]);
};

export const useGenerate = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidateAll();
  return useMutation(
    async (roles?: Role[]) => {
      const res = await post<any>(`${BASE}/products/${documentId}/generate`, roles?.length ? { roles } : {});
      const d = unwrap(res.data) ?? {};
      return ((d.assets ?? d) as any[]).map(normalizeAsset);
    },
    { onError, onSuccess: invalidate }
  );
};

export const useImportAsset = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidateAll();
  return useMutation(
    async ({ file, role }: { file: File; role: Role }) => {
      const form = new FormData();
      form.append('role', role);
      form.append('file', file, file.name);
      const res = await post<any>(`${BASE}/products/${documentId}/assets`, form);
      const meta = res.data?.meta ?? {};
      return { asset: normalizeAsset(unwrap(res.data)), warnings: meta.warnings ?? [], candidates: meta.candidates ?? null } as ImportResult;
    },
    { onError, onSuccess: invalidate }
  );
};

export interface AssetFilters {
  product?: string;
  status?: string;
  role?: string;
}

export const useAssets = (filters: AssetFilters, options: { enabled?: boolean } = {}) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    keys.assets(filters),
    async () => ((unwrap((await get<any>(`${BASE}/assets`, { params: clean({ ...filters }) })).data) ?? []) as any[]).map(normalizeAsset),
    { onError, enabled: options.enabled ?? true, keepPreviousData: true }
  );
};

/** The review payload of one asset. `stamp` (version, status) refetches it when the asset moved. */
export const useAsset = (documentId: string | undefined, stamp?: string) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    [...keys.asset(documentId ?? ''), stamp ?? ''],
    async () => normalizeAssetDetail((await get<any>(`${BASE}/assets/${documentId}`)).data),
    { enabled: Boolean(documentId), onError, refetchOnWindowFocus: false }
  );
};

/** What GET /assets/:documentId/difference found, with the map as a data URL (an <img src> cannot carry the admin JWT). */
export interface DifferenceMapView {
  src: string;
  /** The source product was placed on the image (known placement, known region, or a confident registration). */
  registered: boolean;
  /** Why it was not (an editor's sentence). */
  reason: string | null;
  method: string | null;
  /** Share of the product's area that differs (0..1). */
  changed: number | null;
  regions: number;
}

const blobToDataUrl = (blob: Blob) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

/** The difference map of an asset, fetched on demand (it takes the server a second or two to draw). */
export const useDifferenceMap = (documentId: string | undefined, enabled = true) => {
  const { get } = useFetchClient();
  return useQuery(
    [...keys.asset(documentId ?? ''), 'difference'],
    async (): Promise<DifferenceMapView> => {
      const res = await get(`${BASE}/assets/${documentId}/difference`, { responseType: 'blob', validateStatus: () => true });
      if (res.status !== 200) {
        let message = `HTTP ${res.status}`;
        try {
          message = JSON.parse(await res.data.text())?.error?.message ?? message;
        } catch {
          /* not a JSON error body: keep the status */
        }
        throw new Error(message);
      }
      const header = (name: string) => res.headers?.get(name) ?? null;
      const reason = header('X-Difference-Reason');
      const changed = header('X-Difference-Changed');
      return {
        src: await blobToDataUrl(res.data),
        registered: header('X-Difference-Registered') === 'true',
        reason: reason ? decodeURIComponent(reason) : null,
        method: header('X-Difference-Method'),
        changed: changed === null ? null : Number(changed),
        regions: Number(header('X-Difference-Regions') ?? 0),
      };
    },
    { enabled: Boolean(documentId) && enabled, retry: false, refetchOnWindowFocus: false, staleTime: 5 * 60_000 }
  );
};

export interface TransitionInput {
  documentId: string;
  to: AssetStatus;
  version: number;
  note?: string;
  override?: string;
}

/** Moves an asset. 409 (someone changed it since) is handed to the caller to show plainly. */
export const useTransition = (opts: { onConflict?: (error: unknown) => void } = {}) => {
  const { post } = useFetchClient();
  const notify = useNotifyError();
  const invalidate = useInvalidateAll();
  return useMutation(
    async ({ documentId, ...body }: TransitionInput) =>
      normalizeAsset(unwrap((await post<any>(`${BASE}/assets/${documentId}/transition`, clean(body))).data)),
    {
      onError: (error) => {
        if (serverStatus(error) === 409 && opts.onConflict) opts.onConflict(error);
        else notify(error);
      },
      onSuccess: invalidate,
    }
  );
};

export const useBriefs = () => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(keys.briefs, async () => (unwrap((await get<any>(`${BASE}/briefs`)).data) ?? []) as Brief[], { onError });
};

export const useBrief = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(keys.brief(documentId ?? ''), async () => unwrap((await get<any>(`${BASE}/briefs/${documentId}`)).data) as Brief, {
    enabled: Boolean(documentId),
    onError,
    refetchOnWindowFocus: false,
  });
};

/**
 * `placesFieldErrors`: the caller shows a 400's field problems beside its fields (and its own
 * summary), so only other failures are toasted here.
 */
const useFormErrorNotice = (placesFieldErrors: boolean) => {
  const notify = useNotifyError();
  return useCallback((error: unknown) => (placesFieldErrors && fieldProblems(error).length ? undefined : notify(error)), [notify, placesFieldErrors]);
};

export const useUpdateBrief = (documentId: string, { placesFieldErrors = false } = {}) => {
  const { put } = useFetchClient();
  const onError = useFormErrorNotice(placesFieldErrors);
  const invalidate = useInvalidateAll();
  return useMutation(
    async (data: Partial<Pick<Brief, 'name' | 'categories' | 'roles' | 'slotPlan'>>) =>
      unwrap((await put<any>(`${BASE}/briefs/${documentId}`, data)).data) as Brief,
    { onError, onSuccess: invalidate }
  );
};

export const useCloneBrief = ({ placesFieldErrors = false } = {}) => {
  const { post } = useFetchClient();
  const onError = useFormErrorNotice(placesFieldErrors);
  const invalidate = useInvalidateAll();
  return useMutation(
    async ({ documentId, name, categories }: { documentId: string; name: string; categories: Category[] }) =>
      unwrap((await post<any>(`${BASE}/briefs/${documentId}/clone`, { name, categories })).data) as Brief,
    { onError, onSuccess: invalidate }
  );
};

/** Rendered prompts of a brief (with unsaved role specs) for one product. */
export const usePromptPreview = (briefId: string | undefined, product: string | undefined, roles: RoleSpec[] | undefined) => {
  const { post } = useFetchClient();
  return useQuery(
    ['product-gallery', 'preview', briefId, product, JSON.stringify(roles ?? null)],
    async () => {
      const res = await post<any>(`${BASE}/briefs/${briefId}/preview`, { product, roles: roles?.map(stripSpec) });
      const d = unwrap(res.data);
      return (Array.isArray(d) ? d : d?.prompts ?? []) as RenderedPrompt[];
    },
    { enabled: Boolean(briefId && product), keepPreviousData: true, retry: false, refetchOnWindowFocus: false }
  );
};

/** Role specs as the server's zod schema accepts them: no component ids, no media objects. */
export const stripSpec = (spec: RoleSpec): RoleSpec => {
  const { id: _id, sceneImage, ...rest } = spec as RoleSpec & { sceneImage?: { id?: number } | number | null };
  const out: RoleSpec = { ...rest };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete (out as AnyRecord)[k];
  if (sceneImage !== undefined) (out as AnyRecord).sceneImage = typeof sceneImage === 'object' && sceneImage ? sceneImage.id ?? null : sceneImage;
  return out;
};

export const useConfig = () => {
  const { get } = useFetchClient();
  return useQuery(
    keys.config,
    async () => {
      const d = unwrap((await get<any>(`${BASE}/config`)).data) ?? {};
      return { replicateConfigured: Boolean(d.replicateConfigured), channels: d.channels ?? [], intake: d.intake ?? null } as PluginConfig;
    },
    { retry: false, staleTime: 60_000 }
  );
};

/** The storefront's view: the public content API (no admin token). */
export const useGallery = (slug: string | undefined, channel?: string) => {
  return useQuery(
    keys.gallery(slug ?? '', channel),
    async () => {
      const qs = channel ? `?channel=${encodeURIComponent(channel)}` : '';
      const res = await fetch(`${backendURL()}/api/product-gallery/galleries/${encodeURIComponent(slug ?? '')}${qs}`, {
        headers: { Accept: 'application/json' },
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        const err = new Error(body?.error?.message ?? `HTTP ${res.status}`) as Error & { status?: number };
        err.status = res.status;
        throw err;
      }
      return unwrap(body) as Gallery;
    },
    { enabled: Boolean(slug), retry: false, refetchOnWindowFocus: false }
  );
};

/** A rule or a broken rule, with the values its translated wording needs (server: pipeline/channel-rules.ts). */
export interface ChannelRuleText {
  text: string;
  values: Record<string, string | number>;
}

export interface ChannelRule extends ChannelRuleText {
  id: string;
}

export interface ChannelRuleBreak extends ChannelRuleText {
  rule: string;
  level: 'fail' | 'warn';
}

export interface ChannelFile {
  name: string;
  position: number;
  slots: string[];
  role: Role;
  asset: string;
  preset: string;
  label: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  upscaled: boolean;
  framing: 'crop' | 'pad' | 'fit';
  notes: string[];
  breaks: ChannelRuleBreak[];
  preview: string | null;
}

export interface ChannelPreview {
  channel: Channel;
  notes: string[];
  presets: { id: string; label: string; rules: ChannelRule[] }[];
  files: ChannelFile[];
}

/** The files a channel's pack holds (rendered by the server), its rules and the rules each file breaks. */
export const useChannelPreview = (documentId: string, channel: Channel | '') => {
  const { get } = useFetchClient();
  return useQuery(
    keys.channelPreview(documentId, channel),
    async () => unwrap((await get<any>(`${BASE}/products/${documentId}/channels/${channel}/preview`)).data) as ChannelPreview,
    { enabled: Boolean(documentId && channel), retry: false, refetchOnWindowFocus: false, staleTime: 30_000 }
  );
};

/** The cutout PNG is behind the admin JWT: fetch it as a blob and hand back an object URL. */
export const useAuthedImage = (path: string | null | undefined) => {
  const { get } = useFetchClient();
  return useQuery(
    ['product-gallery', 'blob', path ?? ''],
    async () => {
      const res = await get(path as string, { responseType: 'blob' });
      return URL.createObjectURL(res.data);
    },
    { enabled: Boolean(path), retry: false, refetchOnWindowFocus: false, staleTime: Infinity }
  );
};

export interface DownloadState {
  channel: Channel | null;
  received: number;
  total: number | null;
}

/** The listing pack (a ZIP) for a channel, streamed so the editor sees its progress. */
export const usePackDownload = (documentId: string, filenameBase: string) => {
  const token = useAuth('usePackDownload', (state) => state.token);
  const notify = useNotifyError();
  const [state, setState] = useState<DownloadState>({ channel: null, received: 0, total: null });

  const download = useCallback(
    async (channel: Channel) => {
      setState({ channel, received: 0, total: null });
      try {
        const res = await fetch(`${backendURL()}${BASE}/products/${documentId}/pack?channel=${channel}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          throw { response: { data: body ?? { error: { message: `HTTP ${res.status}` } } }, status: res.status };
        }
        const total = Number(res.headers.get('content-length')) || null;
        const chunks: Uint8Array[] = [];
        let received = 0;
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            received += value.length;
            setState({ channel, received, total });
          }
        } else {
          const buf = new Uint8Array(await res.arrayBuffer());
          chunks.push(buf);
          received = buf.length;
        }
        const blob = new Blob(chunks as BlobPart[], { type: 'application/zip' });
        const disposition = res.headers.get('content-disposition') ?? '';
        const name = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? `${filenameBase}-${channel}.zip`;
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        return { name, size: received };
      } catch (error) {
        notify(error);
        return null;
      } finally {
        setState({ channel: null, received: 0, total: null });
      }
    },
    [documentId, filenameBase, notify, token]
  );

  return { download, state };
};

/* -------------------------------------------------------------------------------------------------
 * The product's reference cutout: refine preview, confirmation, AI second opinion
 * -----------------------------------------------------------------------------------------------*/

export interface RefineStroke {
  mode: 'keep' | 'remove';
  /** brush radius as a fraction of the photo's long side */
  radius: number;
  /** 0..1 of the photo's width and height */
  points: { x: number; y: number }[];
}

export interface ReferenceMask {
  fileId: number;
  url: string;
  method?: 'auto' | 'refined' | 'ai';
  confirmedBy?: string;
  confirmedAt?: string;
  strokes?: number;
  note?: string | null;
  model?: string;
  areaFraction?: number;
  agreement?: number;
}

export interface ProductReferenceView {
  state: 'missing' | 'needs-check' | 'automatic' | 'confirmed';
  confidence: number | null;
  reasons: string[];
  cutoutUrl: string | null;
  mask: ReferenceMask | null;
  aiMask: ReferenceMask | null;
  width: number | null;
  height: number | null;
}

export interface RefinePreview {
  maskPreview: string;
  areaFraction: number;
  changedFraction: number;
  automaticConfidence: number;
}

const toReferenceView = (ref: any): ProductReferenceView => ({
  state: !ref ? 'missing' : ref.mask?.confirmedAt ? 'confirmed' : ref.needsReview ? 'needs-check' : 'automatic',
  confidence: typeof ref?.cutout?.confidence === 'number' ? ref.cutout.confidence : null,
  reasons: messages(ref?.cutout?.reasons),
  cutoutUrl: ref?.cutoutUrl ?? null,
  mask: ref?.mask ?? null,
  aiMask: ref?.aiMask ?? null,
  width: ref?.intake?.width ?? null,
  height: ref?.intake?.height ?? null,
});

/** The product's reference as the refine tool needs it (its confirmed and AI masks). */
export const useProductReference = (documentId: string | undefined) => {
  const { get } = useFetchClient();
  const onError = useNotifyError();
  return useQuery(
    ['product-gallery', 'reference', documentId ?? ''],
    async () => toReferenceView(unwrap((await get<any>(`${BASE}/products/${documentId}`)).data)?.reference),
    { enabled: Boolean(documentId), onError }
  );
};

/** POST /products/:id/reference/preview: strokes -> the refined mask (nothing stored). */
export const useRefinePreview = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  return useMutation(
    async ({ strokes, from }: { strokes: RefineStroke[]; from: 'auto' | 'ai' }): Promise<RefinePreview> => {
      const d = unwrap((await post<any>(`${BASE}/products/${documentId}/reference/preview`, { strokes, from })).data);
      return {
        maskPreview: d.maskPreview,
        areaFraction: d.refined?.areaFraction ?? 0,
        changedFraction: d.refined?.changedFraction ?? 0,
        automaticConfidence: d.automatic?.confidence ?? 0,
      };
    },
    { onError }
  );
};

/** POST /products/:id/reference/confirm: the mask (as it is, refined, or the AI's) becomes the reference. */
export const useConfirmReference = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidateAll();
  return useMutation(
    async ({ strokes, from, note }: { strokes: RefineStroke[]; from: 'auto' | 'ai'; note?: string }) =>
      unwrap((await post<any>(`${BASE}/products/${documentId}/reference/confirm`, { strokes, from, ...(note ? { note } : {}) })).data),
    { onError, onSuccess: invalidate }
  );
};

/** POST /products/:id/reference/ai: the AI background remover's mask, stored beside ours. */
export const useAiCutout = (documentId: string) => {
  const { post } = useFetchClient();
  const onError = useNotifyError();
  const invalidate = useInvalidateAll();
  return useMutation(
    async (): Promise<{ maskPreview: string; aiMask: ReferenceMask }> => unwrap((await post<any>(`${BASE}/products/${documentId}/reference/ai`, {})).data),
    { onError, onSuccess: invalidate }
  );
};
