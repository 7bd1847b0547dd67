/**
 * What one answer served from the copy saved instead of from Prometheus: the oldest copy used and why
 * Prometheus could not be asked. The cache readers (rangeCache.ts) note into it; the handler puts it in the
 * answer, so a view greys what is old and says since when ("as of 18:45").
 */
import { AppError } from '../../shared/errors';
import type { StaleCopy } from '../../shared/series';

export class Staleness {
  private oldest: string | null = null;
  private cause: AppError | null = null;

  /** A copy fetched at `fetchedAt` (ISO) was served because of `cause`. */
  note(fetchedAt: string, cause: unknown): void {
    if (this.oldest === null || Date.parse(fetchedAt) < Date.parse(this.oldest)) this.oldest = fetchedAt;
    if (!this.cause && cause instanceof AppError) this.cause = cause;
  }

  /** null when every figure came from Prometheus (or a fresh cache hit) */
  view(): StaleCopy | null {
    if (this.oldest === null) return null;
    const cause =
      this.cause ??
      new AppError('PROMETHEUS_UNREACHABLE', 'Prometheus could not be asked.', 'Retry in a moment.');
    return { asOf: this.oldest, error: cause.toJSON() };
  }
}

/** Since when each Prometheus (by URL) has failed, without an answer in between (for "unreachable since 18:45"). */
const downSince = new Map<string, string>();

/** `url` answered: it is no longer down. */
export function markAnswered(url: string): void {
  downSince.delete(url);
}

/** `url` failed this round: since when it has been down (ISO), this round if it answered the last one. */
export function downSinceFor(url: string, now: Date = new Date()): string {
  let since = downSince.get(url);
  if (!since) {
    since = now.toISOString();
    downSince.set(url, since);
  }
  return since;
}
