/**
 * Alertmanager API v2 client: active alerts (with silenced and inhibited ones, which the console shows as
 * suppressed), silences, creating a silence and expiring one. Every answer is checked with zod before use.
 */
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { HttpEndpoint, type HttpResponse } from './http';
import type { PrometheusConfig } from './prometheus';

const AmAlert = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  updatedAt: z.string().optional(),
  fingerprint: z.string(),
  generatorURL: z.string().optional(),
  status: z.object({
    state: z.enum(['active', 'suppressed', 'unprocessed']),
    silencedBy: z.array(z.string()).nullable().default([]),
    inhibitedBy: z.array(z.string()).nullable().default([]),
  }),
});
export type AmAlert = z.infer<typeof AmAlert>;

const AmSilence = z.object({
  id: z.string(),
  matchers: z.array(
    z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().optional() }),
  ),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
});
export type AmSilence = z.infer<typeof AmSilence>;

export interface NewSilence {
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export class AlertmanagerClient {
  private readonly endpoint: HttpEndpoint;

  constructor(config: PrometheusConfig) {
    this.endpoint = new HttpEndpoint({
      url: config.url,
      auth: config.auth,
      caCert: config.caCert ?? null,
      tenant: config.tenant ?? null,
      timeoutMs: config.timeoutMs ?? 10_000,
      service: 'Alertmanager',
      maxBytes: 64 * 1024 * 1024,
    });
  }

  get url(): string {
    return this.endpoint.baseText;
  }

  /** Active alerts, including silenced and inhibited ones (the caller shows those as suppressed). */
  async alerts(signal?: AbortSignal): Promise<AmAlert[]> {
    const query = new URLSearchParams({
      active: 'true',
      silenced: 'true',
      inhibited: 'true',
      unprocessed: 'true',
    });
    const res = await this.endpoint.send({ method: 'GET', path: '/api/v2/alerts', query, signal });
    const parsed = z.array(AmAlert).safeParse(this.json(res, 'alerts'));
    if (!parsed.success) throw this.notUnderstood('alerts');
    return parsed.data;
  }

  async silences(signal?: AbortSignal): Promise<AmSilence[]> {
    const res = await this.endpoint.send({ method: 'GET', path: '/api/v2/silences', signal });
    const parsed = z.array(AmSilence).safeParse(this.json(res, 'silences'));
    if (!parsed.success) throw this.notUnderstood('silences');
    return parsed.data;
  }

  /** Creates a silence; returns its id. */
  async createSilence(silence: NewSilence, signal?: AbortSignal): Promise<string> {
    const body = JSON.stringify({
      matchers: silence.matchers,
      startsAt: silence.startsAt.toISOString(),
      endsAt: silence.endsAt.toISOString(),
      createdBy: silence.createdBy,
      comment: silence.comment,
    });
    const res = await this.endpoint.send({
      method: 'POST',
      path: '/api/v2/silences',
      body,
      contentType: 'application/json',
      signal,
    });
    const parsed = z.object({ silenceID: z.string().min(1) }).safeParse(this.json(res, 'the new silence'));
    if (!parsed.success) throw this.notUnderstood('the new silence');
    return parsed.data.silenceID;
  }

  /**
   * Expires a silence now (DELETE /api/v2/silence/{id}). Alertmanager keeps it, as expired, until its retention
   * ends; expiring one that already ended is refused by Alertmanager (the caller checks first).
   */
  async expireSilence(id: string, signal?: AbortSignal): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(id))
      throw new AppError(
        'INVALID_INPUT',
        `"${id.slice(0, 80)}" is not a silence id.`,
        'Pick the silence from the list.',
      );
    const res = await this.endpoint.send({
      method: 'DELETE',
      path: `/api/v2/silence/${encodeURIComponent(id)}`,
      signal,
    });
    if (res.status === 404)
      throw new AppError(
        'NOT_FOUND',
        `Alertmanager at ${this.url} has no silence ${id}.`,
        'It may have been deleted after its retention ended; reload the list.',
        { status: 404 },
      );
    // 200 with an empty body; anything else is explained by json()
    if (res.status < 200 || res.status >= 300) this.json(res, `expiring silence ${id}`);
  }

  private json(res: HttpResponse, what: string): unknown {
    if (res.status === 401 || res.status === 403) throw this.endpoint.authError(res.status);
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) {
      const detail = text.replace(/\s+/g, ' ').trim().slice(0, 300);
      throw new AppError(
        'ALERTMANAGER_ERROR',
        `Alertmanager at ${this.url} refused ${what} (HTTP ${res.status}${detail ? `: ${detail}` : ''}).`,
        res.status === 400
          ? 'Alertmanager rejected the request as invalid; check the matchers and times.'
          : 'Check the Alertmanager URL in Settings (the API root, e.g. http://alertmanager:9093).',
        { status: res.status },
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.notUnderstood(what);
    }
  }

  private notUnderstood(what: string): AppError {
    return new AppError(
      'ALERTMANAGER_ERROR',
      `Alertmanager at ${this.url} answered ${what} with something that is not the Alertmanager v2 API.`,
      'Check the Alertmanager URL in Settings: the server root, e.g. http://alertmanager:9093.',
    );
  }
}
