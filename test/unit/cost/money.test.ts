import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  addMoney,
  allocate,
  amountUnits,
  costPer,
  formatAmount,
  formatMoney,
  formatUnitCost,
  money,
  MoneyBag,
  MONEY_SCALE,
  parseAmount,
  sumMoney,
  toWire,
  unitsFromNumber,
} from '../../../shared/money';
import { addMonths, dayText, monthRange, parseDay } from '../../../shared/cost';

describe('money: exact decimal amounts', () => {
  it('parses plain, signed, exponent and dot-first decimals exactly', () => {
    expect(parseAmount('12.34')).toBe((1234n * MONEY_SCALE) / 100n);
    expect(parseAmount('-0.5')).toBe(-MONEY_SCALE / 2n);
    expect(parseAmount('+3')).toBe(3n * MONEY_SCALE);
    expect(parseAmount('.25')).toBe(MONEY_SCALE / 4n);
    expect(parseAmount('1.2E-5')).toBe(120_000n);
    expect(parseAmount('12.3400000000')).toBe(parseAmount('12.34'));
    // Cost Explorer's 10 fraction digits are exact; more are rounded half away from zero
    expect(parseAmount('0.0000000001')).toBe(1n);
    expect(parseAmount('0.00000000005')).toBe(1n);
    expect(parseAmount('-0.00000000005')).toBe(-1n);
    expect(parseAmount('0.00000000004')).toBe(0n);
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['', ' ', 'NaN', '1,5', '1 000', '$3', '0x10', 'Infinity', '1e999', '--1'])
      expect(parseAmount(bad)).toBeNull();
  });

  it('sums without floats: 0.1 + 0.2 is 0.3', () => {
    const sum = sumMoney([money('0.1', 'USD'), money('0.2', 'USD')], 'USD');
    expect(formatAmount(sum.units)).toBe('0.3');
    // a million cents add up to exactly 10,000
    let units = 0n;
    for (let i = 0; i < 1_000_000; i++) units += amountUnits('0.01');
    expect(formatAmount(units)).toBe('10000');
  });

  it('formats for the wire and for people', () => {
    expect(toWire(money('1234.5', 'USD'))).toEqual({ amount: '1234.5', currency: 'USD' });
    expect(formatMoney(money('1234.5', 'USD'))).toBe('$1,234.50');
    expect(formatMoney(money('-3.204', 'USD'))).toBe('-$3.20');
    expect(formatMoney(money('-0.001', 'USD'))).toBe('$0.00');
    expect(formatMoney(money('12', 'EUR'))).toBe('€12.00');
    expect(formatMoney(money('1234567.891', 'CHF'))).toBe('1,234,567.89 CHF');
    expect(formatMoney(money('0.005', 'USD'))).toBe('$0.01');
    expect(formatMoney(money('1234567', 'USD'), { compact: true })).toBe('$1.2M');
    expect(formatUnitCost(money('0.0042137', 'USD'))).toBe('$0.00421');
    expect(formatUnitCost(money('1.5', 'USD'))).toBe('$1.50');
  });

  it('refuses a currency mix with a clear message, and keeps currencies apart in a bag', () => {
    let err: unknown;
    try {
      addMoney(money('1', 'USD'), money('1', 'EUR'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CURRENCY_MIX');
    expect((err as AppError).message).toMatch(/USD and EUR.*never converts/);
    expect(() => sumMoney([money('1', 'USD'), money('2', 'EUR')], 'USD')).toThrow(/different currencies/);

    const bag = new MoneyBag().add(money('1.10', 'USD')).add(money('2', 'EUR')).add(money('0.90', 'USD'));
    expect(bag.currencies()).toEqual(['EUR', 'USD']);
    expect(formatAmount(bag.get('USD').units)).toBe('2');
    expect(bag.others('USD').map(toWire)).toEqual([{ amount: '2', currency: 'EUR' }]);
    expect(() => bag.single()).toThrow(AppError);
  });

  it('allocates by weights with parts that add up exactly', () => {
    const total = amountUnits('100.00');
    const parts = allocate(total, [1, 1, 1]) as bigint[];
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(total);
    expect(parts.map((p) => formatAmount(p))).toEqual(['33.3333333334', '33.3333333333', '33.3333333333']);
    expect(allocate(total, [0, 0])).toBeNull();
    const neg = allocate(-7n, [2, 1]) as bigint[];
    expect(neg.reduce((a, b) => a + b, 0n)).toBe(-7n);
  });

  it('cost per 1k divides by counts without losing the cent', () => {
    // $589.92 over 1,234,567 requests = $0.4778361... per 1k
    const per = costPer(amountUnits('589.92'), 1_234_567, 1000) as bigint;
    expect(formatAmount(per, 6)).toBe('0.477836');
    expect(costPer(amountUnits('1'), 0, 1000)).toBeNull();
    expect(costPer(amountUnits('1'), Number.NaN, 1000)).toBeNull();
    expect(unitsFromNumber(24 * 2 * 12.29)).toBe(amountUnits('589.92'));
  });
});

describe('UTC calendar with exclusive ends', () => {
  it('months and days', () => {
    const june = monthRange('2025-06');
    expect(dayText(june.start)).toBe('2025-06-01');
    expect(dayText(june.end)).toBe('2025-07-01');
    expect(june.end - june.start).toBe(30);
    expect(dayText(addMonths(parseDay('2025-03-31') as number, -1))).toBe('2025-02-01');
    expect(parseDay('2025-02-29')).toBeNull();
    expect(parseDay('2024-02-29')).not.toBeNull();
    expect(() => monthRange('2025-13')).toThrow();
  });
});
