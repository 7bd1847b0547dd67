/**
 * NextPageToken handling. Tokens are opaque base64url JSON carrying the page number, the offset and a hash
 * of the request without its token: a token from another request -> RequestChangedException, a garbled one
 * -> InvalidNextTokenException (both modelled errors of the Cost Explorer SDK).
 */
import { createHash } from 'node:crypto';
import { ApiError } from './errors';
import type { Json } from './validate';

interface TokenBody {
  v: 1;
  op: string;
  page: number;
  offset: number;
  h: string;
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Json)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(op: string, body: Json): string {
  const rest: Json = { ...body };
  delete rest['NextPageToken'];
  return createHash('sha256')
    .update(`${op}\n${stable(rest)}`)
    .digest('hex')
    .slice(0, 24);
}

export interface PageRequest {
  op: string;
  body: Json;
  pageSize: number;
  /** Called with the 1-based page number about to be answered (fault injection). */
  beforePage: (page: number) => void;
}

export interface Page<T> {
  items: T[];
  page: number;
  nextPageToken?: string;
}

export function paginate<T>(req: PageRequest, all: T[]): Page<T> {
  const raw = req.body['NextPageToken'];
  const hash = requestHash(req.op, req.body);
  let page = 1;
  let offset = 0;
  if (raw !== undefined && raw !== null) {
    let tok: TokenBody | undefined;
    try {
      if (typeof raw !== 'string') throw new Error('not a string');
      const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
      const t = parsed as Partial<TokenBody>;
      if (
        t.v === 1 &&
        typeof t.op === 'string' &&
        Number.isInteger(t.page) &&
        Number.isInteger(t.offset) &&
        typeof t.h === 'string'
      ) {
        tok = t as TokenBody;
      }
    } catch {
      tok = undefined;
    }
    if (!tok || tok.offset < 0 || tok.page < 2)
      throw new ApiError(
        'InvalidNextTokenException',
        'The pagination token is invalid. Try again without a pagination token.',
      );
    if (tok.op !== req.op || tok.h !== hash) {
      throw new ApiError(
        'RequestChangedException',
        'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.',
      );
    }
    if (tok.offset > all.length)
      throw new ApiError(
        'InvalidNextTokenException',
        'The pagination token is invalid. Try again without a pagination token.',
      );
    page = tok.page;
    offset = tok.offset;
  }
  req.beforePage(page);
  const end = offset + req.pageSize;
  const items = all.slice(offset, end);
  const result: Page<T> = { items, page };
  if (end < all.length) {
    const next: TokenBody = { v: 1, op: req.op, page: page + 1, offset: end, h: hash };
    result.nextPageToken = Buffer.from(JSON.stringify(next), 'utf8').toString('base64url');
  }
  return result;
}
