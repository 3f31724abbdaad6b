import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Box, Button, Flex, Grid, Loader, Typography } from '@strapi/design-system';
import { Check, Cross } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useAsset, useAssets, useTransition, type AssetListItem } from '../api';
import { UndoPublish, useDoneToast, useShotName, type JustPublished } from '../components/ActionFeedback';
import { AssetHistory, useActorLabel } from '../components/AssetHistory';
import { CompareViewer } from '../components/CompareViewer';
import { QcTable, useQcCheckLabel } from '../components/QcChips';
import { ReasonDialog } from '../components/ReasonDialog';
import { ScenePreviewBadge } from '../components/ScenePreviewBadge';
import { ImageNumberBadge, OverrideNote, QcStatusBadge, StatusBadge, useQcStatusLabel } from '../components/StatusBadge';
import { serverDetail, serverMessage } from '../utils/errors';
import { permits } from '../utils/moves';
import { useT } from '../utils/translations';
import { mediaUrl, paths } from '../utils/urls';

type Dialog = null | 'reject' | 'override';

/** The queue narrowed to one QC verdict: the ones that need a decision first. */
const QC_FILTERS = ['all', 'fail', 'unverified', 'warn', 'pass'] as const;
type QcFilter = (typeof QC_FILTERS)[number];

const isTyping = (target: EventTarget | null) => {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || Boolean(el.closest('[role="dialog"]'));
};

const QueueItem = ({ asset, active }: { asset: AssetListItem; active: boolean }) => {
  const t = useT();
  const thumb = asset.file?.thumbnailUrl;
  return (
    <Link
      to={paths.review(asset.documentId)}
      style={{ textDecoration: 'none' }}
      data-queue-item={asset.documentId}
      aria-current={active ? 'true' : undefined}
    >
      <Flex
        gap={2}
        padding={2}
        hasRadius
        background={active ? 'primary100' : 'neutral0'}
        borderColor={active ? 'primary600' : 'neutral150'}
        borderStyle="solid"
        borderWidth="1px"
      >
        <Box width="48px" height="48px" background="neutral100" hasRadius style={{ overflow: 'hidden', flexShrink: 0 }}>
          {thumb ? <img src={mediaUrl(thumb)} alt="" width={48} height={48} style={{ objectFit: 'cover', display: 'block' }} /> : null}
        </Box>
        <Flex direction="column" alignItems="flex-start" style={{ minWidth: 0 }}>
          <Typography variant="omega" fontWeight="semiBold" ellipsis>
            {asset.product?.title ?? asset.product?.sku ?? asset.documentId}
          </Typography>
          <Flex gap={1}>
            <Typography variant="pi" textColor="neutral600">
              {t(`role.${asset.role}`, asset.role)}
            </Typography>
            {asset.qcStatus ? <QcStatusBadge status={asset.qcStatus} size="S" /> : null}
            <ScenePreviewBadge show={asset.scenePreview} />
          </Flex>
        </Flex>
      </Flex>
    </Link>
  );
};

const Provenance = ({ provenance, prompt }: { provenance?: Record<string, unknown> | null; prompt?: string | null }) => {
  const t = useT();
  const p = provenance ?? {};
  const rows: [string, unknown][] = [
    [t('provenance.generator', 'Generator'), p.generator],
    [t('provenance.model', 'Model'), [p.model, p.modelVersion ?? p.version].filter(Boolean).join(' @ ')],
    [t('provenance.seed', 'Seed'), p.seed],
    [t('provenance.brief', 'Brief version'), p.briefVersion],
    [t('provenance.duration', 'Duration'), typeof p.durationMs === 'number' ? `${Math.round(p.durationMs)} ms` : p.duration],
  ];
  const promptText = prompt ?? (p.prompt as string | undefined);
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      {rows
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <Flex key={k} justifyContent="space-between" gap={2}>
            <Typography variant="pi" textColor="neutral600">
              {k}
            </Typography>
            <Typography variant="pi">{String(v)}</Typography>
          </Flex>
        ))}
      {promptText ? (
        <Box paddingTop={2}>
          <Typography variant="pi" textColor="neutral600" tag="div">
            {t('provenance.prompt', 'Prompt')}
          </Typography>
          <Typography variant="pi" tag="p" style={{ whiteSpace: 'pre-wrap' }}>
            {promptText}
          </Typography>
        </Box>
      ) : null}
    </Flex>
  );
};

export const ReviewQueuePage = () => {
  const t = useT();
  const navigate = useNavigate();
  const { assetId } = useParams();
  const [search] = useSearchParams();
  const productFilter = search.get('product') ?? undefined;
  const queue = useAssets({ status: 'in_review', product: productFilter });
  const [qcFilter, setQcFilter] = useState<QcFilter>('all');
  const list = useMemo(() => (queue.data ?? []).filter((a) => qcFilter === 'all' || a.qcStatus === qcFilter), [queue.data, qcFilter]);
  const qcStatusLabel = useQcStatusLabel();
  const selectedId = assetId ?? list[0]?.documentId;
  const detail = useAsset(selectedId);
  const [dialog, setDialog] = useState<Dialog>(null);
  // The server's answer to a stale decision: its words, and the state the shot is in now.
  const [conflict, setConflict] = useState<{ message: string; status: string | null } | null>(null);
  const transition = useTransition({
    onConflict: (e) => setConflict({ message: serverMessage(e), status: serverDetail<{ status?: string }>(e, 'current')?.status ?? null }),
  });
  const done = useDoneToast();
  const shotName = useShotName();
  const actor = useActorLabel();
  const [justPublished, setJustPublished] = useState<JustPublished | null>(null);

  const asset = detail.data;
  const index = list.findIndex((a) => a.documentId === selectedId);
  const checkLabel = useQcCheckLabel();
  // Fail and "cannot verify" both need a person's written reason to approve (the server enforces it).
  const blocking = (asset?.qc.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'unverified');
  const blockingChecks = blocking.map((c) => ({ id: c.id, status: c.status, label: checkLabel(c.id), message: c.message }));
  const qcFailed = Boolean(asset?.qc.overrideRequired);
  const source = asset?.source;
  const candidate = asset?.candidate;
  // Only a candidate with the source's own framing can be stacked on it; anything composed gets the map.
  const composed =
    !asset ||
    asset.role !== 'clean' ||
    !source?.width ||
    !candidate?.width ||
    source.width !== candidate.width ||
    source.height !== candidate.height;

  useEffect(() => setConflict(null), [selectedId]);

  const go = useCallback(
    (delta: number) => {
      if (!list.length) return;
      const next = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + delta));
      navigate(paths.review(list[next].documentId) + (productFilter ? `?product=${productFilter}` : ''));
    },
    [index, list, navigate, productFilter]
  );

  const afterDecision = useCallback(() => {
    setDialog(null);
    const rest = list.filter((a) => a.documentId !== selectedId);
    const next = rest[Math.min(Math.max(index, 0), rest.length - 1)];
    if (next) navigate(paths.review(next.documentId) + (productFilter ? `?product=${productFilter}` : ''));
  }, [index, list, navigate, productFilter, selectedId]);

  const decide = useCallback(
    async (to: 'approved' | 'rejected' | 'published', reason?: string) => {
      if (!asset) return;
      const what = shotName(asset);
      try {
        const moved = await transition.mutateAsync({
          documentId: asset.documentId,
          to,
          version: asset.version,
          note: to === 'rejected' ? reason : undefined,
          override: to === 'approved' && reason ? reason : undefined,
        });
        done(to === 'approved' && reason ? 'approvedOverride' : to, what);
        if (to === 'published') {
          setDialog(null);
          setJustPublished({ asset: moved, what });
        } else afterDecision();
      } catch {
        setDialog(null);
      }
    },
    [afterDecision, asset, done, shotName, transition]
  );

  // Approve and Reject stay in place for an editor whose role decides reviews (the server's
  // decisions), enabled exactly when the asset's moves offer them now.
  const showApprove = Boolean(asset && permits(asset.decisions, 'approved'));
  const showReject = Boolean(asset && permits(asset.decisions, 'rejected'));
  const canDecide = Boolean(asset && permits(asset.moves, 'approved') && !conflict);
  const canReject = Boolean(asset && permits(asset.moves, 'rejected') && !conflict);
  const approve = useCallback(() => {
    if (!canDecide) return;
    if (qcFailed) setDialog('override');
    else decide('approved');
  }, [canDecide, decide, qcFailed]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target) || dialog) return;
      const key = e.key.toLowerCase();
      if (key === 'j') go(1);
      else if (key === 'k') go(-1);
      else if (key === 'a') approve();
      else if (key === 'r' && canReject) setDialog('reject');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [approve, canReject, dialog, go]);

  const reload = () => {
    setConflict(null);
    detail.refetch();
    queue.refetch();
  };

  return (
    <Page.Main>
      <Page.Title>{t('review.title', 'Review queue')}</Page.Title>
      <Layouts.Header
        title={t('review.title', 'Review queue')}
        subtitle={t('review.subtitle', '{count, plural, =0 {Nothing waiting} one {# shot waiting} other {# shots waiting}} · A approve · R reject · J/K next/previous', {
          count: list.length,
        })}
      />
      <Layouts.Content>
        {queue.isLoading ? (
          <Page.Loading />
        ) : (
          <Grid.Root gap={4}>
            <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
              <Flex direction="column" alignItems="stretch" gap={2} data-testid="review-queue">
                <Flex gap={1} wrap="wrap" role="group" aria-label={t('review.qcFilter', 'Filter by check result')}>
                  {QC_FILTERS.map((f) => (
                    <Button
                      key={f}
                      size="S"
                      variant={qcFilter === f ? 'secondary' : 'tertiary'}
                      aria-pressed={qcFilter === f}
                      onClick={() => setQcFilter(f)}
                      data-qc-filter={f}
                    >
                      {f === 'all' ? t('review.qcFilter.all', 'All') : qcStatusLabel(f)}
                    </Button>
                  ))}
                </Flex>
                {list.length ? (
                  list.map((a) => <QueueItem key={a.documentId} asset={a} active={a.documentId === selectedId} />)
                ) : (
                  <Box background="neutral0" padding={4} hasRadius shadow="tableShadow">
                    <Typography textColor="neutral600">{t('review.empty', 'Nothing is waiting for review.')}</Typography>
                  </Box>
                )}
              </Flex>
            </Grid.Item>
            <Grid.Item col={9} s={12} direction="column" alignItems="stretch">
              {!selectedId ? null : detail.isLoading ? (
                <Loader>{t('loading', 'Loading…')}</Loader>
              ) : !asset ? (
                <Page.Error />
              ) : (
                <Flex direction="column" alignItems="stretch" gap={4} width="100%" data-testid="review-detail" data-asset={asset.documentId}>
                  <UndoPublish published={justPublished} onClose={() => setJustPublished(null)} />
                  {conflict ? (
                    <Alert
                      variant="danger"
                      closeLabel={t('action.close', 'Close')}
                      onClose={() => setConflict(null)}
                      title={t('review.conflict.title', 'Changed since you opened it')}
                      action={
                        <Button variant="danger" size="S" onClick={reload}>
                          {t('review.conflict.reload', 'Reload')}
                        </Button>
                      }
                      data-testid="conflict"
                    >
                      {/* the alert wraps its content in a <p>: block spans, not paragraphs */}
                      <Typography tag="span" style={{ display: 'block' }}>
                        {conflict.status
                          ? t('review.conflict.now', 'Someone else changed this shot after this page loaded it: it is now {status}. Reload to see it before you decide.', {
                              status: t(`status.${conflict.status}`, conflict.status).toLowerCase(),
                            })
                          : t('review.conflict', 'Someone else changed this shot after this page loaded it. Reload to see it before you decide.')}
                      </Typography>
                      <Typography tag="span" variant="pi" textColor="neutral600" style={{ display: 'block', marginTop: 4 }} data-testid="conflict-server">
                        {conflict.message}
                      </Typography>
                    </Alert>
                  ) : null}
                  <Box background="neutral0" hasRadius shadow="tableShadow" padding={4}>
                    <Flex direction="column" alignItems="stretch" gap={3}>
                      <Flex justifyContent="space-between" wrap="wrap" gap={2}>
                        <Flex gap={2} wrap="wrap">
                          <Typography variant="delta" tag="h2">
                            {asset.product.title} · {t(`role.${asset.role}`, asset.role)}
                          </Typography>
                          <StatusBadge status={asset.status} />
                          {asset.qcStatus ? <QcStatusBadge status={asset.qcStatus} /> : null}
                          <ImageNumberBadge n={asset.imageNumber} version={asset.version} />
                        </Flex>
                        <Flex gap={2}>
                          <Link to={paths.product(asset.product.documentId)}>
                            <Typography variant="pi">{t('review.openProduct', 'Open product')}</Typography>
                          </Link>
                        </Flex>
                      </Flex>
                      {asset.approvalOverride ? <OverrideNote override={asset.approvalOverride} who={asset.overrideBy ? actor(asset.overrideBy) : null} /> : null}
                      <CompareViewer
                        source={source?.url}
                        candidate={candidate?.url}
                        sourceAlt={t('compare.source', 'Source photo')}
                        candidateAlt={t('compare.candidate', 'Candidate')}
                        assetId={asset.file ? asset.documentId : undefined}
                        composed={composed}
                      />
                      <Flex gap={2} wrap="wrap" data-testid="review-actions">
                        {showApprove ? (
                          <Button
                            variant={qcFailed ? 'secondary' : 'success'}
                            startIcon={<Check />}
                            onClick={approve}
                            disabled={!canDecide || transition.isLoading}
                            loading={transition.isLoading && transition.variables?.to === 'approved'}
                          >
                            {qcFailed ? t('review.override', 'Override and approve… (A)') : t('review.approve', 'Approve (A)')}
                          </Button>
                        ) : null}
                        {showReject ? (
                          <Button variant="danger-light" startIcon={<Cross />} onClick={() => setDialog('reject')} disabled={!canReject || transition.isLoading}>
                            {t('review.reject', 'Reject… (R)')}
                          </Button>
                        ) : null}
                        {showApprove || showReject ? null : (
                          <Typography variant="pi" textColor="neutral600">
                            {t('review.noPermission', 'You can look, but your role cannot approve or reject.')}
                          </Typography>
                        )}
                        {permits(asset.moves, 'published') ? (
                          <Button
                            variant="default"
                            onClick={() => decide('published')}
                            disabled={Boolean(conflict) || transition.isLoading}
                            loading={transition.isLoading && transition.variables?.to === 'published'}
                          >
                            {t('action.publish', 'Publish')}
                          </Button>
                        ) : null}
                        {/* A shot no longer in the queue (decided elsewhere) steps back into it, as J and K do. */}
                        <Button variant="tertiary" onClick={() => go(-1)} disabled={!list.length || index === 0}>
                          {t('review.previous', 'Previous (K)')}
                        </Button>
                        <Button variant="tertiary" onClick={() => go(1)} disabled={!list.length || index >= list.length - 1}>
                          {t('review.next', 'Next (J)')}
                        </Button>
                      </Flex>
                      {qcFailed && asset.status === 'in_review' ? (
                        <Typography variant="pi" textColor="danger600" data-testid="override-required">
                          {blocking.length
                            ? t(
                                'review.qcBlockedNamed',
                                '{checks}: {count, plural, one {this check} other {these checks}} failed or could not decide, so approving needs a written reason, which is audited and shown on the shot.',
                                { checks: blockingChecks.map((c) => c.label).join(', '), count: blocking.length }
                              )
                            : t('review.qcBlocked', 'A check failed or could not decide: approving needs a written reason, which is audited and shown on the shot.')}
                        </Typography>
                      ) : null}
                    </Flex>
                  </Box>
                  <Grid.Root gap={4}>
                    <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                      <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="qc-results">
                        <Typography variant="sigma" textColor="neutral600" tag="h3">
                          {t('review.qc', 'Checks')}
                        </Typography>
                        <Box paddingTop={2}>
                          <QcTable qc={asset.qc.checks} />
                        </Box>
                      </Box>
                    </Grid.Item>
                    <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                      <Box background="neutral0" hasRadius shadow="tableShadow" padding={4}>
                        <Typography variant="sigma" textColor="neutral600" tag="h3">
                          {t('review.provenance', 'Provenance')}
                        </Typography>
                        <Box paddingTop={2}>
                          <Provenance provenance={asset.provenance} prompt={asset.prompt} />
                        </Box>
                      </Box>
                    </Grid.Item>
                    <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                      <Box background="neutral0" hasRadius shadow="tableShadow" padding={4}>
                        <Typography variant="sigma" textColor="neutral600" tag="h3">
                          {t('history.title', 'History')}
                        </Typography>
                        <Box paddingTop={2}>
                          <AssetHistory history={asset.history} />
                        </Box>
                      </Box>
                    </Grid.Item>
                  </Grid.Root>
                </Flex>
              )}
            </Grid.Item>
          </Grid.Root>
        )}
      </Layouts.Content>
      <ReasonDialog
        open={dialog === 'reject'}
        title={t('review.rejectTitle', 'Reject this shot')}
        description={t('review.rejectDescription', 'Say what is wrong: the note is added to the prompt when the shot is regenerated.')}
        checks={blockingChecks}
        label={t('review.rejectReason', 'Reason')}
        confirmLabel={t('review.rejectConfirm', 'Reject')}
        loading={transition.isLoading}
        onClose={() => setDialog(null)}
        onConfirm={(reason) => decide('rejected', reason)}
      />
      <ReasonDialog
        open={dialog === 'override'}
        title={t('review.overrideTitleBlocked', 'Approve despite failed or undecided checks')}
        description={t(
          'review.overrideChecks',
          'These checks failed or could not decide. Approving anyway needs a written reason: say what you compared and why it is right. It is audited and shown on the shot.'
        )}
        checks={blockingChecks}
        label={t('review.overrideReason', 'Override reason')}
        confirmLabel={t('review.overrideConfirm', 'Override and approve')}
        confirmVariant="default"
        loading={transition.isLoading}
        onClose={() => setDialog(null)}
        onConfirm={(reason) => decide('approved', reason)}
      />
    </Page.Main>
  );
};
