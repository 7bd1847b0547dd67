import type { CostRow } from '../../../shared/cost';
import { amountUnits, formatMoney, formatUnitCost, type MoneyWire } from '../../../shared/money';
import { NONE } from '../../format';

/** How the cost screens write amounts, shares and months. */
export const money = (m: MoneyWire | null | undefined, digits = 2) => (m ? formatMoney(m, { digits }) : NONE);
export const unitCost = (m: MoneyWire | null | undefined) => (m ? formatUnitCost(m) : NONE);
export const signed = (m: MoneyWire) => (m.amount.startsWith('-') ? formatMoney(m) : `+${formatMoney(m)}`);
export const pct = (r: number | null | undefined, digits = 1) =>
  r === null || r === undefined || !Number.isFinite(r) ? NONE : `${(r * 100).toFixed(digits)}%`;
export const signedPct = (r: number | null) =>
  r === null ? '' : `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
export const monthLabel = (m: string) =>
  new Date(`${m}-01T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

/** An amount above zero (exact: the decimal text, never a float). */
export const positive = (m: MoneyWire) => amountUnits(m.amount) > 0n;
export const isZero = (m: MoneyWire) => amountUnits(m.amount) === 0n;

/** The change as a percentage; "new" where last month had none; a dash where no day can be compared. */
export function changeText(change: MoneyWire, ratio: number | null, comparedDays: number): string {
  if (comparedDays === 0) return NONE;
  if (ratio !== null) return signedPct(ratio);
  return change.amount === '0' ? '0' : 'new';
}

export function changeTone(r: number | null): string {
  if (r === null) return '';
  if (r > 0.2) return 'sev-critical';
  if (r > 0.05) return 'sev-warning';
  if (r < -0.05) return 'sev-ok';
  return '';
}

export function budgetPill(status: CostRow['budgetStatus']) {
  if (status === 'none') return null;
  const cls =
    status === 'over' ? 'pill pill-critical' : status === 'at_risk' ? 'pill pill-warning' : 'pill pill-muted';
  return <span className={cls}>{status === 'at_risk' ? 'at risk' : status}</span>;
}
