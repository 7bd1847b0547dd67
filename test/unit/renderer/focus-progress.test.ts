/**
 * A FOCUS import under way shows how far main has read: the cost store asks cost.focusImportProgress while
 * cost.importFocus runs, and forgets it when the import ends.
 */
import { describe, expect, it } from 'vitest';
import { createCostStore } from '../../../renderer/state/cost';
import { scriptedTransport } from './scriptedTransport';

describe('FOCUS import progress', () => {
  it('is asked for while the import runs, and cleared at the end', async () => {
    let finish: (() => void) | null = null;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const progress = { fileName: 'big.parquet', bytesRead: 512, bytesTotal: 1024, rows: 1000 };
    const imported = {
      id: 1,
      fileName: 'big.parquet',
      focusVersion: '1.2',
      rows: 2000,
      period: null,
      totals: [],
      ignoredColumns: [],
      importedAt: '2025-06-01T00:00:00.000Z',
    };
    const { transport, calls } = scriptedTransport({
      'cost.importFocus': async () => {
        await done;
        return { ok: true, value: imported };
      },
      'cost.focusImportProgress': () => ({ ok: true, value: progress }),
      'cost.focusImports': () => ({ ok: true, value: [imported] }),
    });
    const store = createCostStore(() => transport);
    const running = store.getState().importFocus('/tmp/big.parquet');
    await new Promise((r) => setTimeout(r, 700));
    expect(store.getState().importing.status).toBe('loading');
    expect(store.getState().importProgress).toEqual(progress);
    finish!();
    await running;
    expect(store.getState().importProgress).toBeNull();
    expect(store.getState().importing.status).toBe('ready');
    const asked = calls.filter((c) => c.channel === 'cost.focusImportProgress').length;
    await new Promise((r) => setTimeout(r, 600));
    // no more asking once it is over
    expect(calls.filter((c) => c.channel === 'cost.focusImportProgress').length).toBe(asked);
  });
});
