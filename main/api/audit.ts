/** Audit: the hash-chained log of every write and settings change, and its verification. */
import type { auditChannels } from '../../shared/audit';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';

export function auditHandlers(ctx: ApiContext): HandlersOf<typeof auditChannels> {
  return {
    'audit.list': (input) => ctx.store.audit.list({ limit: input.limit }),
    'audit.verify': () => ctx.store.audit.verify(),
  };
}
