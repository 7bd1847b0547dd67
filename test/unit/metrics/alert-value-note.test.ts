import { describe, expect, it } from 'vitest';
import { valueNote } from '../../../main/metrics/alerts';

describe("an alert's value says what it is", () => {
  it('the rate window read from the expression', () => {
    expect(
      valueNote(
        'sum(rate(http_requests_total{status="5xx"}[2m])) / sum(rate(http_requests_total[2m])) > 0.05',
      ),
    ).toBe('at last evaluation, 2-min rate');
    expect(valueNote('increase(errors_total[1h]) > 10')).toBe('at last evaluation, 1-h rate');
    expect(valueNote('avg_over_time(queue_depth[15m]) > 100')).toBe('at last evaluation, 15-min window');
  });

  it('or from a recording rule named level:metric:operation', () => {
    expect(valueNote('model:request_error_ratio:rate2m > 0.05')).toBe('at last evaluation, 2-min rate');
    expect(valueNote('job:slo_errors_per_request:ratio_rate5m > 0.01')).toBe(
      'at last evaluation, 5-min rate',
    );
  });

  it('no window is invented when none, or more than one, can be read', () => {
    expect(valueNote('up == 0')).toBe('at last evaluation');
    expect(valueNote('rate(a[5m]) / rate(b[1h]) > 2')).toBe('at last evaluation');
    // no rule of ours evaluates it (another tool sent it to Alertmanager): nothing to say about its value
    expect(valueNote(undefined)).toBeUndefined();
  });
});
