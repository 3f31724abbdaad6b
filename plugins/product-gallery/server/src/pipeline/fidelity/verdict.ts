/**
 * How a measure becomes a status. The status type and the roll-up are the QC's own (../qc):
 * a fidelity check is a QcCheck like any other, and the verdict of a list is summarizeQc.
 */
import { summarizeQc, type QcCheck, type QcStatus } from '../qc';

export type FidelityCheckId = 'fidelity.color' | 'fidelity.structure' | 'fidelity.sharpness' | 'fidelity.scale' | 'fidelity.reference' | 'fidelity.isolation';

/** A measured value against its warn and fail limits. */
export function grade(value: number, warn: number, fail: number, higherIsWorse = true): Exclude<QcStatus, 'unverified'> {
  if (higherIsWorse) return value >= fail ? 'fail' : value >= warn ? 'warn' : 'pass';
  return value <= fail ? 'fail' : value <= warn ? 'warn' : 'pass';
}

/** The worst of several statuses (the same order as the QC roll-up). */
export const worst = (statuses: QcStatus[]): QcStatus => summarizeQc(statuses.map((status) => ({ status })));

/** The comparisons that could not be made, each saying why: a person decides. */
export function unverified(reason: string, ids: FidelityCheckId[] = ['fidelity.color', 'fidelity.structure', 'fidelity.scale']): QcCheck[] {
  return ids.map((id) => ({ id, status: 'unverified', value: null, threshold: null, message: reason }));
}

export const r2 = (x: number) => Math.round(x * 100) / 100;
