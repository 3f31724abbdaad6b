import { useMemo, useState } from 'react';
import {
  Alert,
  Badge,
  Box,
  Button,
  Checkbox,
  Flex,
  Grid,
  LinkButton,
  Loader,
  Modal,
  ProgressBar,
  Switch,
  Typography,
} from '@strapi/design-system';
import { ArrowLeft, Eye, Magic, Upload } from '@strapi/icons';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { Link, useParams } from 'react-router-dom';
import {
  useAsset,
  useAuthedImage,
  useConfig,
  useGenerate,
  useReadiness,
  useTransition,
  useWorkspace,
  type AssetListItem,
  type ProductWorkspace,
} from '../api';
import { UndoPublish, useDoneToast, useShotName, type JustPublished } from '../components/ActionFeedback';
import { AssetHistory, useActorLabel } from '../components/AssetHistory';
import { CutoutRefine } from '../components/CutoutRefine';
import { ImportDialog } from '../components/ImportDialog';
import { QcChips } from '../components/QcChips';
import { ImageNumberBadge, OverrideNote, QcStatusBadge, StatusBadge, useQcStatusLabel } from '../components/StatusBadge';
import { useCan, type Can } from '../utils/permissions';
import { useT } from '../utils/translations';
import { mediaUrl, paths } from '../utils/urls';
import { BUSY_STATUSES, DEFAULT_SLOT_PLAN, ROLES, type Role, type Slot } from '../utils/vocabulary';
import { ScenePreviewBadge } from '../components/ScenePreviewBadge';
import { permits } from '../utils/moves';


/* ------------------------------------------------------------------------------------------------
 * Source photo with its cutout overlay and intake warnings
 * ----------------------------------------------------------------------------------------------*/
const SourceCard = ({ ws }: { ws: ProductWorkspace }) => {
  const t = useT();
  const [showCutout, setShowCutout] = useState(true);
  const ref = ws.reference;
  const source = ws.sourcePhoto;
  const cutoutUrl = ref?.cutoutUrl ?? null;
  const cutoutIsAdminRoute = Boolean(cutoutUrl?.startsWith('/product-gallery/'));
  const authed = useAuthedImage(cutoutIsAdminRoute && source ? cutoutUrl : null);
  const cutout = cutoutIsAdminRoute ? authed.data : mediaUrl(cutoutUrl);
  const warnings = ref?.warnings ?? [];
  const confidence = ref ? ref.cutout.confidence : null;
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="source-card">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Flex justifyContent="space-between">
          <Typography variant="delta" tag="h2">
            {t('workspace.source', 'Source photo')}
          </Typography>
          {cutout ? (
            <Switch
              checked={showCutout}
              onCheckedChange={(v: boolean) => setShowCutout(v)}
              visibleLabels
              onLabel={t('workspace.cutout.on', 'Cutout')}
              offLabel={t('workspace.cutout.off', 'Photo')}
            />
          ) : null}
        </Flex>
        {source ? (
          <Box
            position="relative"
            hasRadius
            style={{
              overflow: 'hidden',
              aspectRatio: source.width && source.height ? `${source.width} / ${source.height}` : '1 / 1',
              background: '#f6f6f9',
            }}
          >
            <img
              src={mediaUrl(source.url)}
              alt={t('workspace.sourceAlt', 'Source photo of {title}', { title: ws.product.title })}
              style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'contain', opacity: showCutout && cutout ? 0.35 : 1 }}
            />
            {showCutout && cutout ? (
              <img
                src={cutout}
                alt={t('workspace.cutoutAlt', 'Cutout of the product')}
                data-testid="cutout-overlay"
                style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'contain' }}
              />
            ) : null}
          </Box>
        ) : (
          <Box background="warning100" hasRadius padding={3}>
            <Typography variant="pi" fontWeight="bold" tag="div">
              {t('workspace.noSource.title', 'No source photo')}
            </Typography>
            <Typography variant="pi">{t('workspace.noSource', 'Add a source photo to this product in the Content Manager before generating.')}</Typography>
          </Box>
        )}
        {source ? (
          <Typography variant="pi" textColor="neutral600">
            {source.width && source.height ? `${source.width} × ${source.height} px` : ''}
            {confidence !== null
              ? ` · ${t('workspace.confidence', 'cutout confidence {value}%', { value: Math.round(confidence * 100) })}`
              : ''}
          </Typography>
        ) : null}
        {warnings.length ? (
          <Flex direction="column" alignItems="stretch" gap={2} data-testid="intake-warnings">
            {warnings.map((w, i) => (
              <Box key={i} background="warning100" borderColor="warning200" borderStyle="solid" borderWidth="1px" hasRadius padding={3}>
                <Typography variant="pi" fontWeight="bold" textColor="warning700" tag="div">
                  {t('workspace.warning', 'Intake warning')}
                </Typography>
                <Typography variant="pi" textColor="neutral800">
                  {w.message}
                </Typography>
              </Box>
            ))}
          </Flex>
        ) : source ? (
          <Typography variant="pi" textColor="success600">
            {t('workspace.noWarnings', 'No intake warnings')}
          </Typography>
        ) : null}
        {ref?.cutout.reasons.length ? (
          <Typography variant="pi" textColor="neutral600">
            {ref.cutout.reasons.map((r) => r.message).join(' · ')}
          </Typography>
        ) : null}
      </Flex>
    </Box>
  );
};

/* ------------------------------------------------------------------------------------------------
 * Effective brief and shot list
 * ----------------------------------------------------------------------------------------------*/
const ShotList = ({
  ws,
  can,
  onGenerate,
  generating,
}: {
  ws: ProductWorkspace;
  can: Can;
  onGenerate: (roles?: Role[]) => void;
  generating: boolean;
}) => {
  const t = useT();
  const brief = ws.brief;
  const roles = ws.plan.shots;
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="shot-list">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Flex justifyContent="space-between" wrap="wrap" gap={2}>
          <Flex direction="column" alignItems="flex-start">
            <Typography variant="delta" tag="h2">
              {t('workspace.brief', 'Brief and shot list')}
            </Typography>
            {brief ? (
              <Typography variant="pi" textColor="neutral600">
                {brief.name} · {t('brief.version', 'version {version}', { version: brief.version })}
              </Typography>
            ) : (
              <Typography variant="pi" textColor="danger600">
                {t('workspace.noBrief', 'No brief covers this category yet.')}
              </Typography>
            )}
          </Flex>
          {brief && can.manageBriefs ? (
            <LinkButton tag={Link} to={paths.brief(brief.documentId)} variant="tertiary" size="S">
              {t('workspace.editBrief', 'Edit brief')}
            </LinkButton>
          ) : null}
        </Flex>
        {/* A list rather than a table: in a third of the page a table's columns do not fit, and each
            row wraps instead, so every Generate button stays on the card at any width. */}
        <Flex direction="column" alignItems="stretch" tag="ul" aria-label={t('workspace.brief', 'Brief and shot list')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {roles.map((r) => (
            <Flex
              key={r.role}
              tag="li"
              data-role={r.role}
              wrap="wrap"
              alignItems="center"
              justifyContent="space-between"
              gap={2}
              paddingTop={2}
              paddingBottom={2}
              borderColor="neutral150"
              style={{ borderTopWidth: 1, borderTopStyle: 'solid', borderLeft: 0, borderRight: 0, borderBottom: 0 }}
            >
              <Flex direction="column" alignItems="flex-start" style={{ flex: '1 1 140px', minWidth: 0 }}>
                <Typography fontWeight="semiBold">{t(`role.${r.role}`, r.role)}</Typography>
                <Typography variant="pi" textColor="neutral500" style={{ overflowWrap: 'anywhere' }}>
                  {[
                    r.required ? t('workspace.required', 'required') : t('workspace.optional', 'optional'),
                    r.aspectRatio,
                    `≥${r.minLongEdge}px`,
                    t(`generator.${r.generator}`, r.generator),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography>
              </Flex>
              <Flex gap={2} wrap="wrap" alignItems="center" style={{ flexShrink: 0 }}>
                <StatusBadge status={r.status} />
                {can.generate ? (
                  <Button
                    size="S"
                    variant="tertiary"
                    startIcon={<Magic />}
                    disabled={generating || !ws.sourcePhoto || Boolean(ws.reference?.needsReview)}
                    onClick={() => onGenerate([r.role])}
                    aria-label={t('workspace.generateRole', 'Generate {role}', { role: t(`role.${r.role}`, r.role) })}
                  >
                    {t('workspace.generateOne', 'Generate')}
                  </Button>
                ) : null}
              </Flex>
            </Flex>
          ))}
        </Flex>
        {ws.plan.missingRoles.length ? (
          <Typography variant="pi" textColor="neutral600">
            {t('workspace.missingRoles', 'Missing: {roles}', { roles: ws.plan.missingRoles.map((r) => t(`role.${r}`, r)).join(', ') })}
          </Typography>
        ) : null}
      </Flex>
    </Box>
  );
};

/* ------------------------------------------------------------------------------------------------
 * One shot: status, QC chips, actions, history
 * ----------------------------------------------------------------------------------------------*/
const HistoryModal = ({ assetId, onClose }: { assetId: string | null; onClose: () => void }) => {
  const t = useT();
  const { data, isLoading } = useAsset(assetId ?? undefined);
  return (
    <Modal.Root open={Boolean(assetId)} onOpenChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{t('history.title', 'History')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {isLoading || !data ? <Loader small>{t('loading', 'Loading…')}</Loader> : <AssetHistory history={data.history} />}
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
};

/**
 * Where a shot stands on the page: the slots it fills (only a published image fills one), or, for
 * a candidate still waiting, whether publishing it replaces the role's image on the page.
 */
type Place = { kind: 'fills'; slots: Slot[] } | { kind: 'replaces' } | { kind: 'pending' } | null;

const placeOf = (asset: AssetListItem, assets: readonly AssetListItem[], filled: ReadonlyMap<string, Slot[]>): Place => {
  const slots = filled.get(asset.documentId);
  if (slots?.length) return { kind: 'fills', slots };
  if (!['draft', 'in_review', 'approved'].includes(asset.status)) return null;
  return assets.some((a) => a.role === asset.role && a.status === 'published') ? { kind: 'replaces' } : { kind: 'pending' };
};

const PlaceMarker = ({ place, role }: { place: Place; role: Role }) => {
  const t = useT();
  if (!place) return null;
  const roleName = t(`role.${role}`, role);
  return (
    <Box
      paddingLeft={2}
      paddingRight={2}
      paddingTop={1}
      paddingBottom={1}
      hasRadius
      background={place.kind === 'fills' ? 'success100' : 'neutral100'}
      data-testid="place-marker"
      data-place={place.kind}
    >
      <Typography variant="pi" fontWeight={place.kind === 'fills' ? 'bold' : undefined} textColor={place.kind === 'fills' ? 'success700' : 'neutral700'}>
        {place.kind === 'fills'
          ? t('workspace.place.fills', 'On the page: {slots}', { slots: place.slots.map((s) => t(`slot.${s}`, s)).join(', ') })
          : place.kind === 'replaces'
            ? t('workspace.place.replaces', 'Not on the page: publishing it replaces the published “{role}” image', { role: roleName })
            : t('workspace.place.pending', 'Not on the page yet: the first “{role}” image published fills its slot', { role: roleName })}
      </Typography>
    </Box>
  );
};

const ShotCard = ({
  asset,
  productId,
  productTitle,
  place,
  onHistory,
  onPublished,
}: {
  asset: AssetListItem;
  productId: string;
  productTitle: string;
  place: Place;
  onHistory: (id: string) => void;
  onPublished: (published: JustPublished) => void;
}) => {
  const t = useT();
  const qcLabel = useQcStatusLabel();
  const transition = useTransition();
  const done = useDoneToast();
  const shotName = useShotName();
  const actor = useActorLabel();
  const busy = BUSY_STATUSES.includes(asset.status);
  // The list row carries the checks, the trail's facts and this editor's moves: the card shows
  // exactly the moves the server permits, and asks for nothing more.
  const qc = asset.qc.checks;
  const rejection = asset.rejection;
  const may = (to: AssetListItem['status']) => permits(asset.moves, to);
  const move = async (to: AssetListItem['status']) => {
    const what = shotName(asset, productTitle);
    try {
      const moved = await transition.mutateAsync({ documentId: asset.documentId, to, version: asset.version });
      if (to === 'published') onPublished({ asset: moved, what });
      done(to === 'published' ? 'published' : to === 'archived' ? 'archived' : to === 'queued' ? 'queued' : 'in_review', what);
    } catch {
      /* notified */
    }
  };
  const thumb = asset.file?.thumbnailUrl;
  return (
    <Box
      background="neutral0"
      hasRadius
      shadow="tableShadow"
      padding={3}
      data-asset={asset.documentId}
      data-asset-role={asset.role}
      data-asset-status={asset.status}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Box
          hasRadius
          background="neutral100"
          style={{ aspectRatio: '1 / 1', overflow: 'hidden', display: 'flex', alignItems: 'center', justifyContent: 'center' }}
        >
          {thumb ? (
            <img
              src={mediaUrl(thumb)}
              alt={asset.alt ?? t(`role.${asset.role}`, asset.role)}
              style={{ width: '100%', height: '100%', objectFit: 'contain' }}
            />
          ) : busy ? (
            <Loader small>{t(`status.${asset.status}`, asset.status)}</Loader>
          ) : (
            <Typography variant="pi" textColor="neutral500">
              {t('compare.noImage', 'No image')}
            </Typography>
          )}
        </Box>
        <Flex justifyContent="space-between" gap={2}>
          <Typography fontWeight="semiBold">{t(`role.${asset.role}`, asset.role)}</Typography>
          <Flex gap={1}>
            <ScenePreviewBadge show={asset.scenePreview} />
            {busy ? null : <ImageNumberBadge n={asset.imageNumber} version={asset.version} />}
            <StatusBadge status={asset.status} />
          </Flex>
        </Flex>
        {asset.status === 'generating' && asset.stage ? (
          <Typography variant="pi" textColor="neutral600" data-testid="generation-stage">
            {t(`stage.${asset.stage}`, asset.stage)}
          </Typography>
        ) : null}
        {place ? (
          <PlaceMarker place={place} role={asset.role} />
        ) : asset.slot ? (
          <Typography variant="pi" textColor="neutral600">
            {t('workspace.inSlot', 'in slot {slot}', { slot: t(`slot.${asset.slot}`, asset.slot) })}
          </Typography>
        ) : null}
        {asset.error ? (
          <Typography variant="pi" textColor="danger600">
            {asset.error}
          </Typography>
        ) : null}
        {qc.length ? (
          <QcChips qc={qc} />
        ) : asset.qcStatus ? (
          <QcStatusBadge status={asset.qcStatus} label={t('qc.overall', 'QC {status}', { status: qcLabel(asset.qcStatus) })} />
        ) : null}
        {asset.approvalOverride ? <OverrideNote override={asset.approvalOverride} who={asset.overrideBy ? actor(asset.overrideBy) : null} /> : null}
        {rejection ? (
          <Box padding={2} hasRadius background="danger100" borderColor="danger200" borderStyle="solid" borderWidth="1px" data-testid="reject-reason">
            <Typography variant="pi" textColor="danger700" tag="p">
              {t('shot.rejected', 'Rejected{who, select, none {} other { by {who}}}: “{reason}”', { who: actor(rejection) || 'none', reason: rejection.note ?? '' })}
            </Typography>
          </Box>
        ) : null}
        <Flex gap={1} wrap="wrap">
          {may('in_review') ? (
            <Button size="S" onClick={() => move('in_review')} loading={transition.isLoading}>
              {t('action.submit', 'Submit for review')}
            </Button>
          ) : null}
          {/* approving and rejecting are decided beside the source, on the review page */}
          {may('approved') || may('rejected') || may('published') ? (
            <LinkButton size="S" variant="secondary" tag={Link} to={paths.review(asset.documentId)}>
              {t('action.review', 'Review')}
            </LinkButton>
          ) : null}
          {may('published') ? (
            <Button size="S" variant="success" onClick={() => move('published')} loading={transition.isLoading}>
              {t('action.publish', 'Publish')}
            </Button>
          ) : null}
          {may('archived') ? (
            <Button size="S" variant="danger-light" onClick={() => move('archived')} loading={transition.isLoading}>
              {t('action.archive', 'Archive')}
            </Button>
          ) : null}
          {asset.status === 'failed' && asset.role === 'size' ? (
            // A size guide fails on the record (no width or height) or its photo (the piece cut
            // off): made again as it is, it fails again, so the way to the fix comes first.
            <LinkButton size="S" variant="secondary" tag={Link} to={paths.productRecord(productId)} data-testid="edit-product-record">
              {t('shot.size.editRecord', 'Edit the product’s dimensions or photo')}
            </LinkButton>
          ) : null}
          {may('queued') ? (
            <Button size="S" variant="secondary" onClick={() => move('queued')} loading={transition.isLoading}>
              {t('action.regenerate', 'Regenerate')}
            </Button>
          ) : null}
          <Button size="S" variant="ghost" onClick={() => onHistory(asset.documentId)}>
            {t('action.history', 'History')}
          </Button>
        </Flex>
      </Flex>
    </Box>
  );
};

/* ------------------------------------------------------------------------------------------------
 * Page
 * ----------------------------------------------------------------------------------------------*/
export const WorkspacePage = () => {
  const t = useT();
  const can = useCan();
  const { documentId = '' } = useParams();
  const { data: ws, isLoading, isError } = useWorkspace(documentId);
  const readiness = useReadiness(documentId);
  const config = useConfig();
  const generate = useGenerate(documentId);
  const [importOpen, setImportOpen] = useState(false);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [batch, setBatch] = useState<string[]>([]);
  const [hideLocalNote, setHideLocalNote] = useState(false);
  const [justPublished, setJustPublished] = useState<JustPublished | null>(null);
  const { toggleNotification } = useNotification();

  const assets = useMemo(
    () =>
      [...(ws?.assets ?? [])]
        .filter((a) => showArchived || a.status !== 'archived')
        .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || String(b.updatedAt).localeCompare(String(a.updatedAt))),
    [ws?.assets, showArchived]
  );
  // Which slots each published image fills, as the server's readiness judges the page.
  const filled = useMemo(() => {
    const bySlot = new Map<string, Slot[]>();
    for (const s of readiness.data?.slots ?? []) {
      if (s.state !== 'published' || s.asset === 'missing') continue;
      bySlot.set(s.asset.documentId, [...(bySlot.get(s.asset.documentId) ?? []), s.slot]);
    }
    return bySlot;
  }, [readiness.data]);
  const slotPlan = ws?.brief?.slotPlan?.length ? ws.brief.slotPlan : DEFAULT_SLOT_PLAN;
  const busy = (ws?.assets ?? []).filter((a) => BUSY_STATUSES.includes(a.status));
  const batchAssets = (ws?.assets ?? []).filter((a) => batch.includes(a.documentId));
  const batchDone = batchAssets.filter((a) => !BUSY_STATUSES.includes(a.status)).length;

  const submitter = useTransition();
  const drafts = (ws?.assets ?? []).filter((a) => permits(a.moves, 'in_review'));
  const [submitting, setSubmitting] = useState(false);
  const submitDrafts = async () => {
    setSubmitting(true);
    try {
      for (const a of drafts) await submitter.mutateAsync({ documentId: a.documentId, to: 'in_review', version: a.version });
      toggleNotification({ type: 'success', message: t('toast.submitted', '{count, plural, one {# draft} other {# drafts}} sent for review.', { count: drafts.length }) });
    } catch {
      /* notified */
    } finally {
      setSubmitting(false);
    }
  };

  const onGenerate = async (roles?: Role[]) => {
    try {
      const created = (await generate.mutateAsync(roles)).assets;
      setBatch(created.map((a) => a.documentId));
      toggleNotification({
        type: 'success',
        message: t('toast.generate', '{count, plural, =0 {Nothing new to generate.} one {# shot queued for generation.} other {# shots queued for generation.}}', { count: created.length }),
      });
    } catch {
      /* notified */
    }
  };

  if (isLoading) return <Page.Loading />;
  if (isError || !ws) return <Page.Error />;

  return (
    <Page.Main>
      <Page.Title>{ws.product.title}</Page.Title>
      <Layouts.Header
        navigationAction={
          <Link to={paths.root} style={{ display: 'inline-flex', alignItems: 'center', gap: 8, textDecoration: 'none' }}>
            <ArrowLeft />
            <Typography variant="pi">{t('action.back', 'Back')}</Typography>
          </Link>
        }
        title={ws.product.title}
        subtitle={[ws.product.sku, ws.product.category && t(`category.${ws.product.category}`, ws.product.category), ws.product.metal]
          .filter(Boolean)
          .join(' · ')}
        primaryAction={
          can.generate ? (
            <Button
              startIcon={<Magic />}
              onClick={() => onGenerate()}
              loading={generate.isLoading}
              disabled={!ws.sourcePhoto || generate.isLoading || Boolean(ws.reference?.needsReview)}
            >
              {t('workspace.generateAll', 'Generate all')}
            </Button>
          ) : undefined
        }
        secondaryAction={
          <Flex gap={2}>
            {drafts.length ? (
              <Button variant="secondary" onClick={submitDrafts} loading={submitting} disabled={submitting}>
                {t('workspace.submitDrafts', 'Submit {count, plural, one {# draft} other {# drafts}} for review', { count: drafts.length })}
              </Button>
            ) : null}
            {can.import ? (
              <Button variant="secondary" startIcon={<Upload />} onClick={() => setImportOpen(true)}>
                {t('workspace.import', 'Import image')}
              </Button>
            ) : null}
            <LinkButton variant="tertiary" startIcon={<Eye />} tag={Link} to={paths.gallery(ws.product.documentId)}>
              {t('workspace.preview', 'Gallery preview')}
            </LinkButton>
          </Flex>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <UndoPublish published={justPublished} onClose={() => setJustPublished(null)} />
          {config.data && !config.data.replicateConfigured && !hideLocalNote ? (
            <Alert
              variant="default"
              closeLabel={t('action.close', 'Close')}
              onClose={() => setHideLocalNote(true)}
              title={t('workspace.localOnly.title', 'Local generator')}
            >
              {t('workspace.localOnly', 'No Replicate token is configured: shots are composed locally from the cutout.')}
            </Alert>
          ) : null}
          {busy.length ? (
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="generation-progress">
              <Flex direction="column" alignItems="stretch" gap={2}>
                <Typography fontWeight="semiBold">
                  {t('workspace.progress', 'Generating: {done} of {total} shots done', {
                    done: batch.length ? batchDone : 0,
                    total: batch.length ? batchAssets.length : busy.length,
                  })}
                </Typography>
                <ProgressBar
                  value={batch.length && batchAssets.length ? Math.max(5, (batchDone / batchAssets.length) * 100) : 5}
                  aria-label={t('workspace.progressLabel', 'Generation progress')}
                />
              </Flex>
            </Box>
          ) : null}
          {/* The reference cutout: an uncertain one blocks generation until a person checks it. */}
          <CutoutRefine
            documentId={ws.product.documentId}
            source={ws.sourcePhoto}
            reference={ws.reference}
            canConfirm={can.review}
            canGenerate={can.generate}
            replicateConfigured={Boolean(config.data?.replicateConfigured)}
          />
          <Grid.Root gap={4}>
            <Grid.Item col={4} s={12} direction="column" alignItems="stretch" gap={4}>
              <SourceCard ws={ws} />
              <ShotList ws={ws} can={can} onGenerate={onGenerate} generating={generate.isLoading} />
            </Grid.Item>
            <Grid.Item col={8} s={12} direction="column" alignItems="stretch">
              <Flex direction="column" alignItems="stretch" gap={3} width="100%">
                <Flex justifyContent="space-between">
                  <Typography variant="delta" tag="h2">
                    {t('workspace.shots', 'Shots')}
                  </Typography>
                  <Checkbox checked={showArchived} onCheckedChange={(v: boolean | 'indeterminate') => setShowArchived(v === true)}>
                    {t('workspace.showArchived', 'Show archived')}
                  </Checkbox>
                </Flex>
                {assets.length ? (
                  <Grid.Root gap={3} data-testid="shots">
                    {assets.map((a) => (
                      <Grid.Item key={a.documentId} col={4} s={6} xs={12} alignItems="stretch" direction="column">
                        <ShotCard
                          asset={a}
                          productId={ws.product.documentId}
                          productTitle={ws.product.title}
                          place={placeOf(a, ws.assets, filled)}
                          onHistory={setHistoryOf}
                          onPublished={setJustPublished}
                        />
                      </Grid.Item>
                    ))}
                  </Grid.Root>
                ) : (
                  <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
                    <Typography textColor="neutral600">
                      {t('workspace.noShots', 'No shots yet. Generate them from the source photo, or import an image.')}
                    </Typography>
                  </Box>
                )}
              </Flex>
            </Grid.Item>
          </Grid.Root>
        </Flex>
      </Layouts.Content>
      {can.import ? (
        <ImportDialog
          open={importOpen}
          productId={ws.product.documentId}
          rules={ws.plan.shots.map((p) => ({ role: p.role, minLongEdge: p.minLongEdge, aspectRatio: p.aspectRatio }))}
          assets={ws.assets}
          slotsOf={(role) => slotPlan.filter((s) => s.roles.includes(role)).length}
          onClose={() => setImportOpen(false)}
        />
      ) : null}
      <HistoryModal assetId={historyOf} onClose={() => setHistoryOf(null)} />
    </Page.Main>
  );
};
