import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AuditEntry, AuditVerification } from '../../shared/audit';
import type { Transport } from '../../shared/transport';
import { idle, loading, settle, systemClock, type AsyncState, type Clock } from './async';

export const AUDIT_PAGE = 200;

export interface AuditState {
  entries: AsyncState<AuditEntry[]>;
  verification: AsyncState<AuditVerification>;
  load(): Promise<void>;
  verify(): Promise<void>;
}

export function createAuditStore(
  getTransport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<AuditState> {
  const clock = options.clock ?? systemClock;
  return createStore<AuditState>()((set, get) => ({
    entries: idle(),
    verification: idle(),

    async load() {
      set({ entries: loading(get().entries) });
      const result = await getTransport().invoke('audit.list', { limit: AUDIT_PAGE });
      // newest first, whatever order the store returns
      const sorted = result.ok
        ? { ok: true as const, value: [...result.value].sort((a, b) => b.seq - a.seq) }
        : result;
      set({ entries: settle(sorted, get().entries, clock()) });
    },

    async verify() {
      set({ verification: loading(idle()) });
      const result = await getTransport().invoke('audit.verify', {});
      set({ verification: settle(result, idle(), clock()) });
    },
  }));
}
