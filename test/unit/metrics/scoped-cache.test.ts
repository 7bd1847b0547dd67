import { describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../main/metrics/prometheus';
import { scopedCache } from '../../../main/metrics/rangeCache';
import { openStore } from '../../../main/store';

const client = (url: string, tenant: string | null = null) =>
  new PrometheusClient({ url, auth: { kind: 'none' }, tenant });

describe('saved Prometheus answers', () => {
  it('are served only for the Prometheus (URL and tenant) that gave them', () => {
    const store = openStore(':memory:');
    const key = { query: 'sum(rate(x[5m]))', step: 15, start: 0, end: 60 };
    const a = scopedCache(store.seriesCache, client('http://prom-a:9090'))!;
    a.put(key, { v: 1 });
    expect(a.get(key)?.body).toEqual({ v: 1 });
    // the same Prometheus however it is written, and with the credentials moved out of the URL
    expect(scopedCache(store.seriesCache, client('http://user:pw@prom-a:9090/'))!.get(key)?.body).toEqual({
      v: 1,
    });
    expect(scopedCache(store.seriesCache, client('http://prom-b:9090'))!.get(key)).toBeUndefined();
    expect(scopedCache(store.seriesCache, client('http://prom-a:9090', 'team-b'))!.get(key)).toBeUndefined();
    expect(scopedCache(store.seriesCache, null)).toBeNull();
    store.close();
  });
});
