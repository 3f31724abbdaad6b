import { Badge } from '@strapi/design-system';
import type { CellState } from '../api';
import { useT } from '../utils/translations';

const VARIANT = { published: 'success', in_review: 'warning', missing: 'neutral' } as const;

export const SlotCell = ({ state, compact }: { state: CellState; compact?: boolean }) => {
  const t = useT();
  const label = t(`cell.${state}`, state === 'in_review' ? 'in review' : state);
  return (
    <Badge variant={VARIANT[state]} data-cell={state} size={compact ? 'S' : 'M'}>
      {state === 'published' ? '● ' : state === 'in_review' ? '◐ ' : '○ '}
      {label}
    </Badge>
  );
};
