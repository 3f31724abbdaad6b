import { useEffect, useRef, useState } from 'react';

/** One problem the server placed on a field: Strapi's ValidationError details.errors entries. */
export interface FieldProblem {
  path: string[];
  message: string;
}

export const fieldProblems = (error: unknown): FieldProblem[] => {
  const e = error as { response?: { data?: { error?: { details?: { errors?: unknown } } } } };
  const list = e?.response?.data?.error?.details?.errors;
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is { path: unknown[]; message: string } => Boolean(p) && Array.isArray(p.path) && typeof p.message === 'string')
    .map((p) => ({ path: p.path.map(String), message: p.message }));
};

/**
 * Bring the first field in error into view and focus it, once per failed save: a long form's
 * problem may be a screen away from the button that found it.
 */
export const useFocusFirstError = () => {
  const container = useRef<HTMLDivElement>(null);
  const [request, setRequest] = useState(0);
  useEffect(() => {
    if (!request) return;
    // An input in error, else a message placed on a card or under a group of checkboxes (Field.Error's id).
    const first = container.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-field-error], [id$="-error"]');
    if (!first) return;
    first.scrollIntoView({ block: 'center' });
    first.focus({ preventScroll: true });
  }, [request]);
  return { container, focusFirstError: () => setRequest((n) => n + 1) };
};
