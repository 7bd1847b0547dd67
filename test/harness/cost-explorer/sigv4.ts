/**
 * Checks an incoming request's AWS Signature Version 4 (Authorization header form) by re-signing it with the
 * SDK's own signer (@smithy/signature-v4 with the SDK's SHA-256), restricted to the headers the client said
 * it signed, and comparing signatures in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { ApiError } from './errors';

export const SIGNING_REGION = 'us-east-1';
export const SIGNING_SERVICE = 'ce';
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface VerifyInput {
  method: string;
  /** The request target as received: path plus optional query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  now?: Date;
}

export interface VerifiedIdentity {
  accessKeyId: string;
  /** True when the request carried X-Amz-Security-Token (temporary credentials). */
  hasSessionToken: boolean;
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+(.*)$/;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const SIG_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export async function verifySigV4(input: VerifyInput): Promise<VerifiedIdentity> {
  const auth = headerValue(input.headers, 'authorization');
  if (!auth) throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
  const m = AUTH_RE.exec(auth.trim());
  if (!m) {
    throw new ApiError(
      'IncompleteSignatureException',
      `Unsupported or malformed Authorization header: only AWS4-HMAC-SHA256 is accepted`,
      400,
    );
  }
  const params = new Map<string, string>();
  for (const part of (m[1] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeadersParam = params.get('SignedHeaders');
  const signature = params.get('Signature');
  if (!credential || !signedHeadersParam || !signature) {
    throw new ApiError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
      400,
    );
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator, ...rest] = credential.split('/');
  if (
    !accessKeyId ||
    !scopeDate ||
    !scopeRegion ||
    !scopeService ||
    terminator !== 'aws4_request' ||
    rest.length > 0
  ) {
    throw new ApiError('IncompleteSignatureException', `Credential is malformed: ${credential}`, 400);
  }
  if (accessKeyId !== input.accessKeyId) {
    throw new ApiError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
    );
  }

  const amzDateRaw = headerValue(input.headers, 'x-amz-date');
  const signingDate = amzDateRaw ? parseAmzDate(amzDateRaw) : undefined;
  if (!amzDateRaw || !signingDate) {
    throw new ApiError(
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      400,
    );
  }
  if (scopeDate !== amzDateRaw.slice(0, 8)) {
    throw new ApiError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDateRaw.slice(0, 8)}'`,
      403,
    );
  }
  if (scopeRegion !== SIGNING_REGION) {
    throw new ApiError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${scopeRegion}'.`,
      403,
    );
  }
  if (scopeService !== SIGNING_SERVICE) {
    throw new ApiError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`,
      403,
    );
  }
  const now = input.now ?? new Date();
  const skew = signingDate.getTime() - now.getTime();
  const fmt = (d: Date): string =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  if (skew < -MAX_SKEW_MS) {
    throw new ApiError(
      'InvalidSignatureException',
      `Signature expired: ${amzDateRaw} is now earlier than ${fmt(new Date(now.getTime() - MAX_SKEW_MS))} (${fmt(now)} - 15 min.)`,
      403,
    );
  }
  if (skew > MAX_SKEW_MS) {
    throw new ApiError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDateRaw} is still later than ${fmt(new Date(now.getTime() + MAX_SKEW_MS))} (${fmt(now)} + 15 min.)`,
      403,
    );
  }

  const signedHeaders = signedHeadersParam.split(';');
  if (!signedHeaders.includes('host')) {
    throw new ApiError(
      'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.",
      403,
    );
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const v = headerValue(input.headers, name);
    if (v === undefined) {
      throw new ApiError('InvalidSignatureException', SIG_MISMATCH, 403);
    }
    headers[name] = v;
  }

  const bodyHash = createHash('sha256').update(input.body).digest('hex');
  const declaredHash = headerValue(input.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    throw new ApiError(
      'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      403,
    );
  }

  const q = input.url.indexOf('?');
  const path = q >= 0 ? input.url.slice(0, q) : input.url;
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(input.url.slice(q + 1))) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }

  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: input.secretAccessKey },
    region: SIGNING_REGION,
    service: SIGNING_SERVICE,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      query,
      headers,
      body: new Uint8Array(input.body),
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expectedAuth = signed.headers['authorization'] ?? '';
  const expected = /Signature=([0-9a-f]+)/.exec(expectedAuth)?.[1] ?? '';
  const expectedSigned = /SignedHeaders=([^,]+)/.exec(expectedAuth)?.[1] ?? '';
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(signature, 'utf8');
  if (
    expectedSigned !== signedHeaders.slice().sort().join(';') ||
    a.length !== b.length ||
    !timingSafeEqual(a, b)
  ) {
    throw new ApiError('InvalidSignatureException', SIG_MISMATCH, 403);
  }
  return { accessKeyId, hasSessionToken: headerValue(input.headers, 'x-amz-security-token') !== undefined };
}
