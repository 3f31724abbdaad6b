import { Badge } from '@strapi/design-system';
import type { CellState } from '../api';
import { useT } from '../utils/translations';
import { WideOnly } from './MatrixLayout';

/** One colour and one mark per state, so a state can be told apart without reading the label. */
const LOOK: Record<CellState, { variant: 'success' | 'primary' | 'warning' | 'secondary' | 'alternative' | 'danger' | 'neutral'; mark: string; label: string }> = {
  published: { variant: 'success', mark: '●', label: 'published' },
  approved: { variant: 'primary', mark: '◉', label: 'approved' },
  in_review: { variant: 'warning', mark: '◐', label: 'in review' },
  draft: { variant: 'secondary', mark: '◌', label: 'draft' },
  generating: { variant: 'alternative', mark: '↻', label: 'generating' },
  failed: { variant: 'danger', mark: '✕', label: 'failed' },
  missing: { variant: 'neutral', mark: '○', label: 'missing' },
};

export const SlotCell = ({ state, compact }: { state: CellState; compact?: boolean }) => {
  const t = useT();
  const look = LOOK[state] ?? LOOK.missing;
  const label = t(`cell.${state}`, look.label);
  return (
    <Badge variant={look.variant} data-cell={state} size={compact ? 'S' : 'M'} title={label}>
      {look.mark}
      <WideOnly>{` ${label}`}</WideOnly>
    </Badge>
  );
};
