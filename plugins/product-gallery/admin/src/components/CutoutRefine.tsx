import { useCallback, useEffect, useRef, useState, type ChangeEvent, type CSSProperties, type PointerEvent as ReactPointerEvent } from 'react';
import { Box, Button, Flex, Modal, Textarea, Typography } from '@strapi/design-system';
import {
  useAiCutout,
  useConfirmReference,
  useRefinePreview,
  type ReferenceView,
  type RefinePreview,
  type RefineStroke,
} from '../api';
import { useT } from '../utils/translations';
import { mediaUrl } from '../utils/urls';

/** Brush radii offered, as a fraction of the photo's long side. */
const BRUSHES = [
  { id: 'small', radius: 0.008 },
  { id: 'medium', radius: 0.02 },
  { id: 'large', radius: 0.045 },
] as const;

const COLORS = { keep: 'rgba(34, 197, 94, 0.65)', remove: 'rgba(239, 68, 68, 0.65)' } as const;

/**
 * The product shown over the photo: the photo dimmed, the product lit in blue. A greyscale mask
 * (ours, confirmed, AI) is read by luminance, a cutout PNG by its alpha.
 */
const MaskOverlay = ({ src, mode }: { src: string; mode: 'luminance' | 'alpha' }) => (
  <div
    data-testid="refine-mask"
    style={{
      position: 'absolute',
      inset: 0,
      background: 'rgba(14, 116, 244, 0.45)',
      pointerEvents: 'none',
      WebkitMaskImage: `url("${src}")`,
      maskImage: `url("${src}")`,
      WebkitMaskSize: '100% 100%',
      maskSize: '100% 100%',
      maskMode: mode,
    } as CSSProperties}
  />
);

/** The canvas the editor paints keep and remove strokes on, in photo-relative coordinates. */
const StrokeCanvas = ({
  strokes,
  onStroke,
  mode,
  radius,
}: {
  strokes: RefineStroke[];
  onStroke: (s: RefineStroke) => void;
  mode: RefineStroke['mode'];
  radius: number;
}) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  const current = useRef<RefineStroke | null>(null);

  const draw = useCallback(() => {
    const c = canvas.current;
    if (!c) return;
    const w = c.clientWidth, h = c.clientHeight;
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    const long = Math.max(w, h);
    for (const s of current.current ? [...strokes, current.current] : strokes) {
      ctx.strokeStyle = COLORS[s.mode];
      ctx.fillStyle = COLORS[s.mode];
      ctx.lineWidth = 2 * s.radius * long;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      s.points.forEach((p, i) => (i ? ctx.lineTo(p.x * w, p.y * h) : ctx.moveTo(p.x * w, p.y * h)));
      if (s.points.length === 1) {
        ctx.arc(s.points[0].x * w, s.points[0].y * h, s.radius * long, 0, 2 * Math.PI);
        ctx.fill();
      } else ctx.stroke();
    }
  }, [strokes]);

  useEffect(draw, [draw]);
  useEffect(() => {
    window.addEventListener('resize', draw);
    return () => window.removeEventListener('resize', draw);
  }, [draw]);

  const point = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), y: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
  };
  return (
    <canvas
      ref={canvas}
      data-testid="refine-canvas"
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', cursor: 'crosshair', touchAction: 'none' }}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        current.current = { mode, radius, points: [point(e)] };
        draw();
      }}
      onPointerMove={(e) => {
        if (!current.current) return;
        const p = point(e);
        const last = current.current.points[current.current.points.length - 1];
        // thin the polyline: a point per quarter brush width is plenty
        if (Math.hypot(p.x - last.x, p.y - last.y) < current.current.radius / 4) return;
        if (current.current.points.length < 2000) current.current.points.push(p);
        draw();
      }}
      onPointerUp={() => {
        if (current.current) onStroke(current.current);
        current.current = null;
      }}
      onPointerCancel={() => {
        current.current = null;
        draw();
      }}
    />
  );
};

const percent = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

/** The refine tool: strokes over the photo, a preview, the AI's opinion, and the confirmation. */
const RefineDialog = ({
  open,
  onClose,
  documentId,
  source,
  reference,
  canConfirm,
  canGenerate,
  replicateConfigured,
}: {
  open: boolean;
  onClose: () => void;
  documentId: string;
  source: { url: string; width?: number | null; height?: number | null };
  reference: ReferenceView;
  canConfirm: boolean;
  canGenerate: boolean;
  replicateConfigured: boolean;
}) => {
  const t = useT();
  const [strokes, setStrokes] = useState<RefineStroke[]>([]);
  const [mode, setMode] = useState<RefineStroke['mode']>('keep');
  const [brush, setBrush] = useState<(typeof BRUSHES)[number]['id']>('medium');
  const [from, setFrom] = useState<'auto' | 'ai'>('auto');
  const [note, setNote] = useState('');
  const [preview, setPreview] = useState<RefinePreview | null>(null);
  const [aiPreview, setAiPreview] = useState<string | null>(null);
  const refine = useRefinePreview(documentId);
  const confirm = useConfirmReference(documentId);
  const ai = useAiCutout(documentId);

  useEffect(() => {
    // strokes drawn after a preview make it stale
    setPreview(null);
  }, [strokes, from]);

  const width = source.width ?? reference.intake.width;
  const height = source.height ?? reference.intake.height;
  const radius = BRUSHES.find((b) => b.id === brush)!.radius;
  const brushLabel = {
    small: t('refine.brush.small', 'Fine brush'),
    medium: t('refine.brush.medium', 'Medium brush'),
    large: t('refine.brush.large', 'Large brush'),
  };
  const aiMaskUrl = aiPreview ?? mediaUrl(reference.aiMask?.url) ?? null;
  // What is shown under the strokes: the preview, else the mask the strokes start from.
  const shown: { src: string; mode: 'luminance' | 'alpha' } | null = preview
    ? { src: preview.maskPreview, mode: 'luminance' }
    : from === 'ai' && aiMaskUrl
      ? { src: aiMaskUrl, mode: 'luminance' }
      : reference.mask?.url
        ? { src: mediaUrl(reference.mask.url)!, mode: 'luminance' }
        : reference.cutoutUrl
          ? { src: mediaUrl(reference.cutoutUrl)!, mode: 'alpha' }
          : null;

  const doConfirm = async () => {
    try {
      await confirm.mutateAsync({ strokes, from, note: note.trim() || undefined });
      setStrokes([]);
      onClose();
    } catch {
      /* notified */
    }
  };

  return (
    <Modal.Root open={open} onOpenChange={(o: boolean) => (!o ? onClose() : undefined)}>
      <Modal.Content style={{ maxWidth: 'min(1100px, 96vw)', width: '96vw' }} data-testid="refine-dialog">
        <Modal.Header>
          <Modal.Title>{t('refine.title', 'Check the product cutout')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={3}>
            <Typography variant="pi" textColor="neutral700">
              {t(
                'refine.help',
                'The product is shown in blue. Paint green over parts of the piece that are missing and red over anything that is not the piece (reflections, surface, props), then preview. Confirming makes this outline the reference every image is checked against.'
              )}
            </Typography>
            <Flex gap={2} wrap="wrap">
              <Button variant={mode === 'keep' ? 'success' : 'tertiary'} size="S" onClick={() => setMode('keep')} aria-pressed={mode === 'keep'} data-testid="refine-keep">
                {t('refine.keep', 'Keep (part of the piece)')}
              </Button>
              <Button variant={mode === 'remove' ? 'danger' : 'tertiary'} size="S" onClick={() => setMode('remove')} aria-pressed={mode === 'remove'} data-testid="refine-remove">
                {t('refine.remove', 'Remove (not the piece)')}
              </Button>
              {BRUSHES.map((b) => (
                <Button key={b.id} variant={brush === b.id ? 'secondary' : 'ghost'} size="S" onClick={() => setBrush(b.id)} aria-pressed={brush === b.id}>
                  {brushLabel[b.id]}
                </Button>
              ))}
              <Button variant="ghost" size="S" disabled={!strokes.length} onClick={() => setStrokes((s) => s.slice(0, -1))}>
                {t('refine.undo', 'Undo stroke')}
              </Button>
              <Button variant="ghost" size="S" disabled={!strokes.length} onClick={() => setStrokes([])}>
                {t('refine.clear', 'Clear strokes')}
              </Button>
            </Flex>
            <Flex gap={4} alignItems="flex-start" wrap="wrap">
              <Box
                position="relative"
                hasRadius
                style={{ flex: '1 1 520px', maxWidth: 720, aspectRatio: `${width} / ${height}`, overflow: 'hidden', background: '#f6f6f9' }}
              >
                <img
                  src={mediaUrl(source.url)}
                  alt={t('refine.photoAlt', 'Source photo')}
                  style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'fill', filter: 'brightness(0.8)' }}
                  draggable={false}
                />
                {shown ? <MaskOverlay src={shown.src} mode={shown.mode} /> : null}
                <StrokeCanvas strokes={strokes} onStroke={(s) => setStrokes((list) => [...list, s])} mode={mode} radius={radius} />
              </Box>
              <Flex direction="column" alignItems="stretch" gap={2} style={{ flex: '0 1 300px' }}>
                <Typography variant="pi" textColor="neutral600" data-testid="refine-status">
                  {preview
                    ? t('refine.previewStats', 'Preview: the product covers {area} of the photo; {changed} of the photo changed. Automatic confidence {confidence}.', {
                        area: percent(preview.refined.areaFraction),
                        changed: percent(preview.refined.changedFraction),
                        confidence: percent(preview.automatic.confidence),
                      })
                    : t('refine.strokeCount', '{count, plural, =0 {No strokes yet} one {# stroke} other {# strokes}}', { count: strokes.length })}
                </Typography>
                {reference.aiMask || aiPreview ? (
                  <Box background="neutral100" hasRadius padding={2} data-testid="refine-ai">
                    <Typography variant="pi" fontWeight="bold" tag="div">
                      {t('refine.ai.title', 'AI background remover')}
                    </Typography>
                    {aiMaskUrl ? (
                      <Box position="relative" hasRadius style={{ aspectRatio: `${width} / ${height}`, overflow: 'hidden', marginTop: 4, background: '#f6f6f9' }}>
                        <img src={mediaUrl(source.url)} alt={t('refine.ai.alt', 'The AI background remover\'s outline')} style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', filter: 'brightness(0.8)' }} />
                        <MaskOverlay src={aiMaskUrl} mode="luminance" />
                      </Box>
                    ) : null}
                    {reference.aiMask ? (
                      <Typography variant="pi" textColor="neutral600" tag="div">
                        {t('refine.ai.agreement', 'It agrees with our cutout on {value} of the product.', { value: percent(reference.aiMask.agreement) })}
                      </Typography>
                    ) : null}
                    <Flex gap={2} paddingTop={2}>
                      <Button size="S" variant={from === 'ai' ? 'secondary' : 'tertiary'} onClick={() => setFrom(from === 'ai' ? 'auto' : 'ai')} aria-pressed={from === 'ai'}>
                        {from === 'ai' ? t('refine.ai.useOurs', 'Start from our cutout') : t('refine.ai.useAi', 'Start from the AI outline')}
                      </Button>
                    </Flex>
                  </Box>
                ) : null}
                {replicateConfigured && canGenerate ? (
                  <Button
                    variant="secondary"
                    size="S"
                    loading={ai.isLoading}
                    data-testid="refine-ask-ai"
                    onClick={async () => {
                      try {
                        const r = await ai.mutateAsync();
                        setAiPreview(r.maskPreview);
                      } catch {
                        /* notified */
                      }
                    }}
                  >
                    {t('refine.ai.ask', 'Ask the AI background remover (second opinion)')}
                  </Button>
                ) : null}
                <Textarea
                  name="note"
                  placeholder={t('refine.notePlaceholder', 'Note for the record (optional): what you corrected')}
                  aria-label={t('refine.note', 'Note')}
                  value={note}
                  onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)}
                />
              </Flex>
            </Flex>
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="tertiary" onClick={onClose}>
            {t('action.cancel', 'Cancel')}
          </Button>
          <Flex gap={2}>
            <Button
              variant="secondary"
              disabled={!strokes.length}
              loading={refine.isLoading}
              data-testid="refine-preview"
              onClick={async () => {
                try {
                  setPreview(await refine.mutateAsync({ strokes, from }));
                } catch {
                  /* notified */
                }
              }}
            >
              {t('refine.preview', 'Preview')}
            </Button>
            {canConfirm ? (
              <Button loading={confirm.isLoading} onClick={doConfirm} data-testid="refine-confirm">
                {strokes.length
                  ? t('refine.confirmRefined', 'Confirm the refined cutout')
                  : from === 'ai'
                    ? t('refine.confirmAi', 'Confirm the AI outline')
                    : t('refine.confirmAsIs', 'Confirm the cutout as it is')}
              </Button>
            ) : null}
          </Flex>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};

/**
 * The reference's state in the workspace: an uncertain cutout says so (and why) and blocks
 * generation until a person confirms or refines it; a confirmed one says who and when.
 */
export const CutoutRefine = ({
  documentId,
  source,
  reference,
  canConfirm,
  canGenerate,
  replicateConfigured,
}: {
  documentId: string;
  source: { url: string; width?: number | null; height?: number | null } | null | undefined;
  /** The workspace's reference: null until the source photo is analysed. */
  reference: ReferenceView | null;
  canConfirm: boolean;
  canGenerate: boolean;
  replicateConfigured: boolean;
}) => {
  const t = useT();
  const [open, setOpen] = useState(false);
  if (!source || !reference) return null;
  const needsCheck = reference.state === 'needs-check';
  const mask = reference.mask;
  return (
    <Box
      background={needsCheck ? 'danger100' : 'neutral0'}
      borderColor={needsCheck ? 'danger600' : undefined}
      borderStyle={needsCheck ? 'solid' : undefined}
      borderWidth={needsCheck ? '2px' : undefined}
      hasRadius
      shadow="tableShadow"
      padding={4}
      data-testid="reference-state"
      data-state={reference.state}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        {needsCheck ? (
          <>
            <Typography variant="delta" tag="h2" textColor="danger700">
              {t('reference.needsCheck.title', 'Needs your check before anything is generated')}
            </Typography>
            <Typography variant="omega" textColor="neutral800" data-testid="reference-why">
              {t('reference.needsCheck.why', 'Why: {reasons}', {
                reasons: reference.cutout.reasons.map((r) => r.message).join(' ') || t('reference.needsCheck.unsure', 'the product does not stand out clearly from the background.'),
              })}
            </Typography>
            <Typography variant="pi" textColor="neutral700">
              {t('reference.needsCheck.what', 'Every generated image is checked against this cutout. Confirm it if it outlines exactly the piece, or correct it with a few strokes.')}
            </Typography>
          </>
        ) : mask?.confirmedAt ? (
          <>
            <Typography variant="delta" tag="h2">
              {t('reference.confirmed.title', 'Cutout confirmed')}
            </Typography>
            <Typography variant="pi" textColor="neutral700" data-testid="reference-confirmed">
              {t('reference.confirmed.by', '{method, select, refined {Refined} ai {AI outline adopted} other {Confirmed as it was}} by {who} on {when}.', {
                method: mask.method,
                who: mask.confirmedBy,
                when: new Date(mask.confirmedAt).toLocaleString(),
              })}
            </Typography>
          </>
        ) : (
          <Typography variant="pi" textColor="neutral700">
            {t('reference.automatic', 'The automatic cutout is used as the reference (confidence {value}).', { value: percent(reference.cutout.confidence) })}
          </Typography>
        )}
        {canGenerate || canConfirm ? (
          <Flex>
            <Button variant={needsCheck ? 'default' : 'tertiary'} size="S" onClick={() => setOpen(true)} data-testid="reference-open">
              {needsCheck ? t('reference.check', 'Check the cutout') : t('reference.refine', 'Refine the cutout')}
            </Button>
          </Flex>
        ) : null}
      </Flex>
      {open ? (
        <RefineDialog
          open={open}
          onClose={() => setOpen(false)}
          documentId={documentId}
          source={source}
          reference={reference}
          canConfirm={canConfirm}
          canGenerate={canGenerate}
          replicateConfigured={replicateConfigured}
        />
      ) : null}
    </Box>
  );
};
