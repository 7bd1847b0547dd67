import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AwsProfileList,
  ChartImage,
  CostReview,
  CostSettings,
  CostSettingsUpdate,
  ExportResult,
  FocusImport,
  FocusImportProgress,
  PriceTable,
  RefreshPlan,
  RefreshResult,
} from '../../shared/cost';
import { inputChanges } from '../../shared/cost';
import type { AppErrorData } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { failed, idle, loading, settle, systemClock, type AsyncState, type Clock } from './async';

export type CostTab = 'review' | 'sources';

/** `YYYY-MM` of a time, in UTC (the review's calendar). */
export function utcMonth(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** This month and the 12 before it (Cost Explorer keeps 13 months), newest first. */
export function monthChoices(nowMs: number): string[] {
  const d = new Date(nowMs);
  return Array.from({ length: 13 }, (_, i) => utcMonth(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)));
}

export interface CostState {
  tab: CostTab;
  month: string;
  review: AsyncState<CostReview>;
  /** the last time the review was recomputed because its inputs changed, and what changed */
  recomputed: { what: string[]; at: number } | null;
  /** the refresh being confirmed: its plan (what it will cost) */
  plan: AsyncState<RefreshPlan> & { open: boolean };
  refresh: AsyncState<RefreshResult>;
  settings: AsyncState<CostSettings>;
  savingSettings: AsyncState<CostSettings>;
  profiles: AsyncState<AwsProfileList>;
  imports: AsyncState<FocusImport[]>;
  importing: AsyncState<FocusImport>;
  /** how far the import under way has read (asked every half second while it runs); null otherwise */
  importProgress: FocusImportProgress | null;
  priceTable: AsyncState<PriceTable>;
  savingPrices: AsyncState<PriceTable>;
  exporting: AsyncState<ExportResult> & { format?: 'csv' | 'markdown' };
  setTab(tab: CostTab): void;
  setMonth(month: string): void;
  loadReview(): Promise<void>;
  /** asks main what the review would be built from now; recomputes it when that changed */
  checkInputs(): Promise<void>;
  openRefresh(): Promise<void>;
  cancelRefresh(): void;
  confirmRefresh(): Promise<void>;
  loadSources(): Promise<void>;
  saveSettings(update: CostSettingsUpdate): Promise<boolean>;
  importFocus(path: string): Promise<void>;
  deleteImport(id: number): Promise<void>;
  savePriceTable(table: Omit<PriceTable, 'updatedAt'>): Promise<boolean>;
  exportReview(format: 'csv' | 'markdown', charts: ChartImage[]): Promise<ExportResult | null>;
}

const PROGRESS_POLL_MS = 500;

export function createCostStore(
  getTransport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<CostState> {
  const clock = options.clock ?? systemClock;
  return createStore<CostState>()((set, get) => ({
    tab: 'review',
    month: utcMonth(clock()),
    review: idle(),
    recomputed: null,
    plan: { ...idle(), open: false },
    refresh: idle(),
    settings: idle(),
    savingSettings: idle(),
    profiles: idle(),
    imports: idle(),
    importing: idle(),
    importProgress: null,
    priceTable: idle(),
    savingPrices: idle(),
    exporting: idle(),

    setTab(tab) {
      set({ tab });
    },

    setMonth(month) {
      if (month === get().month) return;
      set({
        month,
        review: idle(),
        recomputed: null,
        plan: { ...idle(), open: false },
        refresh: idle(),
        exporting: idle(),
      });
      void get().loadReview();
    },

    async loadReview() {
      const month = get().month;
      set({ review: loading(get().review) });
      const result = await getTransport().invoke('cost.review', { month });
      if (get().month !== month) return; // the user moved on
      set({ review: settle(result, get().review, clock()) });
    },

    async checkInputs() {
      const { review, month } = get();
      // a review that failed is not retried from here: its error panel has Retry
      if (!review.data || review.status !== 'ready') return;
      const result = await getTransport().invoke('cost.reviewInputs', { month });
      const shown = get().review;
      if (!result.ok || get().month !== month || !shown.data || shown.status === 'loading') return;
      const what = inputChanges(shown.data.inputs, result.value);
      if (what.length === 0) return;
      set({ recomputed: { what, at: clock() } });
      await get().loadReview();
    },

    async openRefresh() {
      set({ plan: { ...loading(idle()), open: true }, refresh: idle() });
      const result = await getTransport().invoke('cost.refreshPlan', { month: get().month });
      set({ plan: { ...settle(result, idle(), clock()), open: true } });
    },

    cancelRefresh() {
      set({ plan: { ...idle(), open: false }, refresh: idle() });
    },

    async confirmRefresh() {
      const plan = get().plan.data;
      if (!plan) return;
      set({ refresh: loading(idle()) });
      const result = await getTransport().invoke('cost.refresh', {
        month: plan.month,
        expectedRequests: plan.requests,
      });
      set({ refresh: settle(result, idle(), clock()) });
      if (result.ok) {
        set({ plan: { ...idle(), open: false } });
        await get().loadReview();
      }
    },

    async loadSources() {
      set({
        settings: loading(get().settings),
        profiles: loading(get().profiles),
        imports: loading(get().imports),
        priceTable: loading(get().priceTable),
      });
      const t = getTransport();
      const [settings, profiles, imports, prices] = await Promise.all([
        t.invoke('cost.settings', {}),
        t.invoke('cost.awsProfiles', {}),
        t.invoke('cost.focusImports', {}),
        t.invoke('cost.priceTable', {}),
      ]);
      const now = clock();
      set({
        settings: settle(settings, get().settings, now),
        profiles: settle(profiles, get().profiles, now),
        imports: settle(imports, get().imports, now),
        priceTable: settle(prices, get().priceTable, now),
      });
    },

    async saveSettings(update) {
      set({ savingSettings: loading(idle()) });
      const result = await getTransport().invoke('cost.updateSettings', update);
      set({ savingSettings: settle(result, idle(), clock()) });
      if (!result.ok) return false;
      set({ settings: settle(result, get().settings, clock()), review: idle() });
      return true;
    },

    async importFocus(path) {
      set({ importing: loading(idle()), importProgress: null });
      // a 1 GB export takes a while: main says how far it has read
      const poll = setInterval(() => {
        void getTransport()
          .invoke('cost.focusImportProgress', {})
          .then((p) => {
            if (p.ok && get().importing.status === 'loading') set({ importProgress: p.value });
          });
      }, PROGRESS_POLL_MS);
      const result = await getTransport()
        .invoke('cost.importFocus', { path })
        .finally(() => clearInterval(poll));
      set({ importing: settle(result, idle(), clock()), importProgress: null });
      if (result.ok) {
        const list = await getTransport().invoke('cost.focusImports', {});
        set({ imports: settle(list, get().imports, clock()), review: idle() });
      }
    },

    async deleteImport(id) {
      const result = await getTransport().invoke('cost.deleteFocusImport', { id });
      set({ imports: settle(result, get().imports, clock()), review: idle() });
    },

    async savePriceTable(table) {
      set({ savingPrices: loading(idle()) });
      const result = await getTransport().invoke('cost.updatePriceTable', table);
      set({ savingPrices: settle(result, idle(), clock()) });
      if (!result.ok) return false;
      set({ priceTable: settle(result, get().priceTable, clock()), review: idle() });
      return true;
    },

    async exportReview(format, charts) {
      set({ exporting: { ...loading(idle()), format } });
      const result = await getTransport().invoke('cost.export', { month: get().month, format, charts });
      set({ exporting: { ...settle(result, idle(), clock()), format } });
      return result.ok ? result.value : null;
    },
  }));
}

/** An export the console could not even ask for (a chart failed to render to PNG). */
export function exportFailed(state: StoreApi<CostState>, error: AppErrorData): void {
  state.setState({ exporting: failed(error, idle()) });
}

/** The app's instance (reaches main through `getTransport()`, set before the first render). */
export const costStore = createCostStore(getTransport);
export const useCost = <T>(selector: (state: CostState) => T): T => useStore(costStore, selector);
