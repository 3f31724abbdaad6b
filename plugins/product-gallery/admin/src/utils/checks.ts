import { useCallback } from 'react';
import en from '../translations/en.json';
import type { QcCheck } from '../api';
import { useT } from './translations';

/**
 * The catalogue of checks is the translations, keyed by the server's check id:
 * `qc.check.<id>` names it, `qc.meaning.<id>` says in one line what it means for a shopper.
 * English is read from en.json itself so no second copy of the words lives in code.
 */
const EN = en as Record<string, string>;

/** A check id nobody has named yet: "fidelity.some-thing" -> "Some thing". */
const humanize = (id: string) => {
  const last = id.split('.').pop() ?? id;
  const words = last.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const trim = (n: number, digits: number) => {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
};

/** Nothing was measured: a check that decides nothing is never shown as a pass. */
export const isUnmeasured = (c: Pick<QcCheck, 'value'>) => c.value === null || c.value === undefined || c.value === '';

export const useCheckCatalogue = () => {
  const t = useT();
  const label = useCallback((id: string) => (EN[`qc.check.${id}`] ? t(`qc.check.${id}`, EN[`qc.check.${id}`]) : humanize(id)), [t]);
  const meaning = useCallback((id: string) => (EN[`qc.meaning.${id}`] ? t(`qc.meaning.${id}`, EN[`qc.meaning.${id}`]) : null), [t]);

  /** One value in its unit ("1 024 px", "ΔE 3.1", "+12%"); a value stored without a unit as it is. */
  const amount = useCallback(
    (v: unknown, unit: string | undefined): string => {
      const say = (key: string, value: string) => t(`qc.unit.${key}`, EN[`qc.unit.${key}`] ?? '{value}', { value });
      if (typeof v === 'boolean') return String(v);
      if (typeof v !== 'number' || !Number.isFinite(v)) return typeof v === 'string' ? v : JSON.stringify(v);
      switch (unit) {
        case 'px':
        case 'levels':
          return say(unit, String(Math.round(v)));
        case 'megapixels':
          return say(unit, trim(v / 1e6, 1));
        case 'bytes':
          return v >= 1024 * 1024 ? say('bytes.mb', trim(v / (1024 * 1024), 1)) : say('bytes.kb', String(Math.round(v / 1024)));
        case 'fraction':
          return say(unit, trim(v * 100, v < 0.01 && v > 0 ? 2 : 1));
        case 'percent':
          return say(unit, trim(v, 1));
        case 'change':
          return say(unit, `${v > 0 ? '+' : ''}${trim(v * 100, 0)}`);
        case 'stretch':
          return say(unit, trim(Math.abs(v - 1) * 100, 1));
        case 'delta-e':
        case 'score':
          return say(unit, trim(v, 1));
        case 'correlation':
          return say(unit, trim(v, 2));
        case 'ratio':
          return say(unit, trim(v, 3));
        default:
          return trim(v, 3);
      }
    },
    [t]
  );

  /** What was measured against its limit, or "not measured". */
  const measure = useCallback(
    (c: QcCheck, short = false): string => {
      if (isUnmeasured(c)) return short ? t('qc.notMeasured.short', EN['qc.notMeasured.short']) : t('qc.notMeasured', EN['qc.notMeasured']);
      const value = amount(c.value, c.unit);
      if (c.threshold === null || c.threshold === undefined || c.threshold === '' || c.unit === 'text') return value;
      // a signed change's limit is either way
      const limit = c.unit === 'change' ? `±${amount(c.threshold, c.unit).replace(/^\+/, '')}` : amount(c.threshold, c.unit);
      return t('qc.measure', EN['qc.measure'], { value, limit });
    },
    [amount, t]
  );

  return { label, meaning, measure };
};
