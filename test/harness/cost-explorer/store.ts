/** The billing data held by the server, and the Cost Explorer filter Expression evaluated over it. */
import { z } from 'zod';
import { parseDay } from './dates';
import { isDecimalString, parseDecimal } from './decimal';
import { ApiError, validation } from './errors';
import type { CostRecord } from './types';
import { isObject } from './validate';

export interface StoredRecord {
  day: number;
  service: string;
  usageType: string;
  tags: Record<string, string>;
  unblended: bigint;
  amortized: bigint;
  usage: bigint;
}

const decimal = z.string().refine(isDecimalString, 'a plain decimal string with at most 15 fraction digits');
const recordSchema = z.object({
  date: z.string().refine((s) => parseDay(s) !== undefined, 'a YYYY-MM-DD date'),
  service: z.string().min(1),
  usageType: z.string().min(1),
  tags: z.record(z.string(), z.string()),
  unblendedCost: decimal,
  amortizedCost: decimal,
  usageQuantity: decimal,
});

/** Validates and converts the records given to the server (throws a plain Error naming the bad record). */
export function loadRecords(records: CostRecord[]): StoredRecord[] {
  return records.map((r, i) => {
    const parsed = recordSchema.safeParse(r);
    if (!parsed.success) {
      throw new Error(
        `cost-explorer test server: records[${i}] is invalid: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
      );
    }
    return {
      day: parseDay(r.date) as number,
      service: r.service,
      usageType: r.usageType,
      tags: { ...r.tags },
      unblended: parseDecimal(r.unblendedCost),
      amortized: parseDecimal(r.amortizedCost),
      usage: parseDecimal(r.usageQuantity),
    };
  });
}

/** A tag's value, or undefined when the record is untagged for that key (missing or empty value). */
export function tagValue(r: StoredRecord, key: string): string | undefined {
  const v = r.tags[key];
  return v === undefined || v === '' ? undefined : v;
}

export const SUPPORTED_DIMENSIONS = ['SERVICE', 'USAGE_TYPE'] as const;
export type SupportedDimension = (typeof SUPPORTED_DIMENSIONS)[number];

export function dimensionValue(r: StoredRecord, key: SupportedDimension): string {
  return key === 'SERVICE' ? r.service : r.usageType;
}

export type Predicate = (r: StoredRecord) => boolean;

const ROOTS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;

function stringList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw validation(`${path} must be a list of strings`);
  return v as string[];
}

/**
 * Compiles a Cost Explorer `Expression` into a predicate. Supported: And / Or / Not, Dimensions with Key
 * SERVICE or USAGE_TYPE (MatchOptions EQUALS, CASE_SENSITIVE), Tags (MatchOptions EQUALS, ABSENT,
 * CASE_SENSITIVE; the value "" matches untagged too). CostCategories: none are defined in the sandbox ->
 * ValidationException.
 */
export function compileExpression(expr: unknown, path = 'Filter'): Predicate {
  if (!isObject(expr)) throw validation(`${path} must be an Expression structure`);
  const roots = ROOTS.filter((k) => expr[k] !== undefined && expr[k] !== null);
  if (roots.length !== 1) {
    throw validation(
      roots.length === 0
        ? `Expression at ${path} is empty. Exactly one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories`
        : 'Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories',
    );
  }
  const root = roots[0] as (typeof ROOTS)[number];
  const value = expr[root];
  switch (root) {
    case 'And':
    case 'Or': {
      if (!Array.isArray(value) || value.length === 0)
        throw validation(`${path}.${root} must be a non-empty list of expressions`);
      const parts = value.map((e, i) => compileExpression(e, `${path}.${root}[${i}]`));
      return root === 'And' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
    }
    case 'Not': {
      const inner = compileExpression(value, `${path}.Not`);
      return (r) => !inner(r);
    }
    case 'Dimensions': {
      if (!isObject(value)) throw validation(`${path}.Dimensions must be a structure`);
      const key = value['Key'];
      if (typeof key !== 'string') throw validation(`${path}.Dimensions.Key is required`);
      if (!(SUPPORTED_DIMENSIONS as readonly string[]).includes(key)) {
        throw validation(
          `Dimension ${key} is not supported by this Cost Explorer test server (supported: ${SUPPORTED_DIMENSIONS.join(', ')})`,
        );
      }
      const options = stringList(value['MatchOptions'], `${path}.Dimensions.MatchOptions`);
      for (const o of options) {
        if (o !== 'EQUALS' && o !== 'CASE_SENSITIVE')
          throw validation(
            `MatchOptions ${o} is not supported for Dimensions in this API; valid values: EQUALS, CASE_SENSITIVE`,
          );
      }
      const values = new Set(stringList(value['Values'], `${path}.Dimensions.Values`));
      if (values.size === 0) throw validation(`${path}.Dimensions.Values must not be empty`);
      const dim = key as SupportedDimension;
      return (r) => values.has(dimensionValue(r, dim));
    }
    case 'Tags': {
      if (!isObject(value)) throw validation(`${path}.Tags must be a structure`);
      const key = value['Key'];
      if (typeof key !== 'string' || key === '') throw validation(`${path}.Tags.Key is required`);
      const options = stringList(value['MatchOptions'], `${path}.Tags.MatchOptions`);
      for (const o of options) {
        if (o !== 'EQUALS' && o !== 'ABSENT' && o !== 'CASE_SENSITIVE') {
          throw validation(
            `MatchOptions ${o} is not supported for Tags in this API; valid values: EQUALS, ABSENT, CASE_SENSITIVE`,
          );
        }
      }
      const absent = options.includes('ABSENT');
      const equals = options.includes('EQUALS') || !absent;
      const values = stringList(value['Values'], `${path}.Tags.Values`);
      if (equals && !absent && values.length === 0)
        throw validation(`${path}.Tags.Values must not be empty unless MatchOptions is ABSENT`);
      const set = new Set(values);
      const emptyMatchesUntagged = set.has('');
      return (r) => {
        const v = tagValue(r, key);
        if (v === undefined) return absent || (equals && emptyMatchesUntagged);
        return equals && set.has(v);
      };
    }
    case 'CostCategories':
      throw new ApiError(
        'ValidationException',
        'No cost categories are defined in this account (the Cost Explorer test server supports none)',
      );
  }
}
