import { useCallback, useEffect, useRef, useState, type CSSProperties, type PointerEvent } from 'react';
import { Box, Button, Flex, Loader, Typography } from '@strapi/design-system';
import { Question } from '@strapi/icons';
import { useDifferenceMap } from '../api';
import { useT } from '../utils/translations';
import { mediaUrl } from '../utils/urls';

export type CompareMode = 'side' | 'overlay' | 'difference' | 'map';

interface View {
  scale: number;
  x: number;
  y: number;
}

const IDENTITY: View = { scale: 1, x: 0, y: 0 };
const MIN = 1;
const MAX = 12;

const CHECKER: CSSProperties = {
  backgroundColor: '#f6f6f9',
  backgroundImage:
    'linear-gradient(45deg,#eaeaef 25%,transparent 25%),linear-gradient(-45deg,#eaeaef 25%,transparent 25%),linear-gradient(45deg,transparent 75%,#eaeaef 75%),linear-gradient(-45deg,transparent 75%,#eaeaef 75%)',
  backgroundSize: '16px 16px',
  backgroundPosition: '0 0,0 8px,8px -8px,-8px 0',
};

const imgStyle = (view: View, extra: CSSProperties = {}): CSSProperties => ({
  position: 'absolute',
  inset: 0,
  width: '100%',
  height: '100%',
  objectFit: 'contain',
  transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`,
  transformOrigin: 'center center',
  userSelect: 'none',
  pointerEvents: 'none',
  ...extra,
});

/** One pane: wheel zooms toward the pointer, drag pans. The view is shared by every pane. */
const Pane = ({
  label,
  view,
  setView,
  children,
  testId,
}: {
  label: string;
  view: View;
  setView: (updater: (v: View) => View) => void;
  children: React.ReactNode;
  testId: string;
}) => {
  const ref = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      const px = e.clientX - rect.left - rect.width / 2;
      const py = e.clientY - rect.top - rect.height / 2;
      setView((v) => {
        const scale = Math.min(MAX, Math.max(MIN, v.scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2)));
        if (scale === MIN) return IDENTITY;
        const k = scale / v.scale;
        return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
      });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [setView]);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    drag.current = { x: e.clientX, y: e.clientY };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    const dx = e.clientX - drag.current.x;
    const dy = e.clientY - drag.current.y;
    drag.current = { x: e.clientX, y: e.clientY };
    setView((v) => (v.scale === 1 ? v : { ...v, x: v.x + dx, y: v.y + dy }));
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={1} style={{ flex: 1, minWidth: 0 }}>
      <Typography variant="sigma" textColor="neutral600">
        {label}
      </Typography>
      <div
        ref={ref}
        data-testid={testId}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onDoubleClick={() => setView(() => IDENTITY)}
        style={{
          position: 'relative',
          height: 440,
          overflow: 'hidden',
          borderRadius: 4,
          border: '1px solid #dcdce4',
          cursor: view.scale > 1 ? 'grab' : 'zoom-in',
          touchAction: 'none',
          ...CHECKER,
        }}
      >
        {children}
      </div>
    </Flex>
  );
};

const Swatch = ({ color, outline }: { color: string; outline?: boolean }) => (
  <span
    aria-hidden
    style={{
      display: 'inline-block',
      width: 14,
      height: 10,
      borderRadius: 2,
      background: outline ? 'transparent' : color,
      border: `2px solid ${color}`,
      marginRight: 6,
      verticalAlign: 'middle',
    }}
  />
);

/**
 * The difference map (server: GET /assets/:documentId/difference): the candidate dimmed, the
 * outline of where the source product lands on it, and what differs in magenta. When the product
 * could not be found, the map shows no outline and says so: nothing is guessed.
 */
const DifferenceMapPane = ({ assetId, view, setView }: { assetId: string; view: View; setView: (updater: (v: View) => View) => void }) => {
  const t = useT();
  const map = useDifferenceMap(assetId);
  const data = map.data;
  return (
    <Flex direction="column" alignItems="stretch" gap={2} style={{ flex: 1, minWidth: 0 }} data-testid="difference-map" data-registered={data ? String(data.registered) : undefined}>
      <Pane label={t('compare.mapLabel', 'Differences from the source')} view={view} setView={setView} testId="compare-map">
        {map.isLoading ? (
          <Flex justifyContent="center" alignItems="center" height="100%">
            <Loader small>{t('compare.mapLoading', 'Placing the source on this image…')}</Loader>
          </Flex>
        ) : map.error ? (
          <Flex justifyContent="center" alignItems="center" height="100%" padding={4}>
            <Typography textColor="danger600" data-testid="difference-map-error">
              {String((map.error as Error).message)}
            </Typography>
          </Flex>
        ) : data ? (
          <img src={data.src} alt={t('compare.mapAlt', 'Difference map')} style={imgStyle(view)} draggable={false} />
        ) : null}
      </Pane>
      {data && !data.registered ? (
        <Box padding={3} hasRadius background="secondary100" borderColor="secondary200" borderStyle="solid" borderWidth="1px" data-testid="difference-map-unregistered">
          <Flex gap={2} alignItems="flex-start">
            <Question width={20} height={20} aria-hidden style={{ flexShrink: 0 }} />
            <Typography variant="omega" textColor="secondary700">
              {t('compare.mapNotFound', 'Cannot verify: {reason} Compare the image with the source photo by eye.', { reason: data.reason ?? '' })}
            </Typography>
          </Flex>
        </Box>
      ) : data ? (
        <Flex gap={4} wrap="wrap">
          <Typography variant="pi" textColor="neutral600">
            <Swatch color="#00d6ff" outline />
            {t('compare.mapOutline', 'Where the source product lands')}
          </Typography>
          <Typography variant="pi" textColor="neutral600">
            <Swatch color="#ff00aa" />
            {t('compare.mapChanged', 'Differs from the source (colour or shape)')}
          </Typography>
          <Typography variant="pi" fontWeight="semiBold" textColor={data.regions ? 'danger600' : 'success600'} data-testid="difference-map-summary">
            {data.regions
              ? t('compare.mapSummary', '{count, plural, one {# place differs} other {# places differ}} ({share}% of the product)', {
                  count: data.regions,
                  share: Math.max(1, Math.round((data.changed ?? 0) * 100)),
                })
              : t('compare.mapNone', 'No difference found where the product lands.')}
          </Typography>
        </Flex>
      ) : null}
    </Flex>
  );
};

/**
 * Source and candidate side by side with synchronized zoom and pan, or the difference map (the
 * source registered onto the candidate). Stacking the two whole frames (an overlay with opacity,
 * or CSS mix-blend-mode: difference) only means something when both show the same framing, so
 * a composed shot (`composed`: a scene, a close-up, a re-framed clean view) offers the map instead.
 */
export const CompareViewer = ({
  source,
  candidate,
  sourceAlt,
  candidateAlt,
  assetId,
  composed = false,
}: {
  source?: string | null;
  candidate?: string | null;
  sourceAlt: string;
  candidateAlt: string;
  /** The asset whose difference map to offer (none: no map mode). */
  assetId?: string;
  composed?: boolean;
}) => {
  const t = useT();
  const modes: CompareMode[] = composed ? ['map', 'side'] : assetId ? ['side', 'overlay', 'difference', 'map'] : ['side', 'overlay', 'difference'];
  const initial: CompareMode = composed && assetId ? 'map' : 'side';
  const [mode, setMode] = useState<CompareMode>(initial);
  useEffect(() => setMode(initial), [assetId, initial]);
  const [view, setViewState] = useState<View>(IDENTITY);
  const [opacity, setOpacity] = useState(0.5);
  const setView = useCallback((updater: (v: View) => View) => setViewState(updater), []);

  useEffect(() => setViewState(IDENTITY), [source, candidate]);

  const src = mediaUrl(source);
  const cand = mediaUrl(candidate);
  const zoom = (k: number) =>
    setViewState((v) => {
      const scale = Math.min(MAX, Math.max(MIN, v.scale * k));
      return scale === MIN ? IDENTITY : { scale, x: v.x * (scale / v.scale), y: v.y * (scale / v.scale) };
    });

  const missing = (
    <Flex justifyContent="center" alignItems="center" height="100%">
      <Typography textColor="neutral500">{t('compare.noImage', 'No image')}</Typography>
    </Flex>
  );

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Flex justifyContent="space-between" wrap="wrap" gap={2}>
        <Flex gap={1} role="group" aria-label={t('compare.mode', 'Comparison mode')}>
          {modes.filter((m) => m !== 'map' || assetId).map((m) => (
            <Button
              key={m}
              size="S"
              variant={mode === m ? 'secondary' : 'tertiary'}
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
            >
              {t(`compare.mode.${m}`, m)}
            </Button>
          ))}
        </Flex>
        <Flex gap={2}>
          {mode === 'overlay' ? (
            <label style={{ display: 'flex', alignItems: 'center', gap: 8, fontSize: 12 }}>
              {t('compare.opacity', 'Candidate opacity')}
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={opacity}
                onChange={(e) => setOpacity(Number(e.target.value))}
              />
            </label>
          ) : null}
          <Button size="S" variant="tertiary" onClick={() => zoom(1 / 1.5)} aria-label={t('compare.zoomOut', 'Zoom out')}>
            −
          </Button>
          <Typography variant="pi" textColor="neutral600" style={{ minWidth: 44, textAlign: 'center' }}>
            {Math.round(view.scale * 100)}%
          </Typography>
          <Button size="S" variant="tertiary" onClick={() => zoom(1.5)} aria-label={t('compare.zoomIn', 'Zoom in')}>
            +
          </Button>
          <Button size="S" variant="tertiary" onClick={() => setViewState(IDENTITY)}>
            {t('compare.reset', 'Fit')}
          </Button>
        </Flex>
      </Flex>
      {mode === 'map' && assetId ? (
        <Flex gap={3} alignItems="flex-start">
          <Pane label={t('compare.source', 'Source photo')} view={view} setView={setView} testId="compare-source">
            {src ? <img src={src} alt={sourceAlt} style={imgStyle(view)} draggable={false} /> : missing}
          </Pane>
          <DifferenceMapPane assetId={assetId} view={view} setView={setView} />
        </Flex>
      ) : mode === 'side' ? (
        <Flex gap={3} alignItems="stretch">
          <Pane label={t('compare.source', 'Source photo')} view={view} setView={setView} testId="compare-source">
            {src ? <img src={src} alt={sourceAlt} style={imgStyle(view)} draggable={false} /> : missing}
          </Pane>
          <Pane label={t('compare.candidate', 'Candidate')} view={view} setView={setView} testId="compare-candidate">
            {cand ? <img src={cand} alt={candidateAlt} style={imgStyle(view)} draggable={false} /> : missing}
          </Pane>
        </Flex>
      ) : (
        <Pane
          label={
            mode === 'overlay'
              ? t('compare.overlayLabel', 'Candidate over source')
              : t('compare.differenceLabel', 'Difference (black = identical)')
          }
          view={view}
          setView={setView}
          testId="compare-stacked"
        >
          <Box position="absolute" style={{ inset: 0, isolation: 'isolate', background: mode === 'difference' ? '#000' : undefined }}>
            {src ? <img src={src} alt={sourceAlt} style={imgStyle(view)} draggable={false} /> : null}
            {cand ? (
              <img
                src={cand}
                alt={candidateAlt}
                draggable={false}
                style={imgStyle(view, mode === 'difference' ? { mixBlendMode: 'difference' } : { opacity })}
              />
            ) : null}
          </Box>
        </Pane>
      )}
      <Typography variant="pi" textColor="neutral500">
        {t('compare.help', 'Scroll to zoom, drag to pan, double-click to fit. Both sides move together.')}
      </Typography>
    </Flex>
  );
};
