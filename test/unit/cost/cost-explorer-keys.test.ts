/**
 * Cost Explorer group keys are read by meaning (GroupDefinitions: TAG vs DIMENSION), never by position. The
 * answer is the AWS documentation's own GetCostAndUsage example (grouped by SERVICE and tag Environment), in the
 * documented order and with the group-by order swapped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGroupKeys, type CostAndUsagePage } from '../../../main/cost/costExplorer';
import { costExplorerFacts } from '../../../main/cost/sources';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'cost-explorer');

function load(name: string): { request: unknown; response: CostAndUsagePage } {
  return JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8')) as {
    request: unknown;
    response: CostAndUsagePage;
  };
}

const tagKeys = { attribution: 'Environment', team: 'team', namespace: 'namespace' };

function factsOf(request: unknown, page: CostAndUsagePage) {
  const out = costExplorerFacts(
    { fetchedAt: '2017-10-02T00:00:00Z', request, pages: [page] },
    null,
    'UnblendedCost',
    tagKeys,
  );
  if (!out) throw new Error('no facts');
  return out.facts.map((f) => ({ subject: f.subject, units: f.gpu + f.other, currency: f.currency }));
}

describe('Cost Explorer answers read by GroupDefinitions', () => {
  const expected = [
    // `Environment$` alone: the S3 cost of untagged resources, Unattributed (subject '')
    { subject: '', units: 403_543_773_134n, currency: 'USD' },
    { subject: 'Dev', units: 2_682_364_644n, currency: 'USD' },
  ];

  it.each(['get-cost-and-usage-dimension-first.json', 'get-cost-and-usage-tag-first.json'])(
    'the documented answer (%s): the untagged key is Unattributed, the SERVICE value is never a tag value',
    (name) => {
      const { request, response } = load(name);
      expect(factsOf(request, response)).toEqual(expected);
    },
  );

  it('an answer without GroupDefinitions whose keys come in another order than the request asked', () => {
    const { request, response } = load('get-cost-and-usage-dimension-first.json');
    const swapped: CostAndUsagePage = {
      ResultsByTime: response.ResultsByTime.map((r) => ({
        ...r,
        Groups: (r.Groups ?? []).map((g) => ({ ...g, Keys: [...g.Keys].reverse() })),
      })),
    };
    expect(factsOf(request, swapped)).toEqual(expected);
  });

  it('reads tags by their prefix and dimensions from what is left', () => {
    const defs = [
      { Type: 'DIMENSION' as const, Key: 'USAGE_TYPE' },
      { Type: 'TAG' as const, Key: 'model' },
    ];
    const k = readGroupKeys(defs, ['model$llama', 'USE1-BoxUsage:p5.48xlarge']);
    expect(k.tag('model')).toBe('llama');
    expect(k.dimension('USAGE_TYPE')).toBe('USE1-BoxUsage:p5.48xlarge');
    const untagged = readGroupKeys(defs, ['USE1-BoxUsage:p5.48xlarge', 'model$']);
    expect(untagged.tag('model')).toBe('');
    expect(untagged.dimension('USAGE_TYPE')).toBe('USE1-BoxUsage:p5.48xlarge');
    // a dimension value that looks nothing like the tag is never read as its value
    const noTagKey = readGroupKeys(defs, ['USE1-DataTransfer-Out-Bytes']);
    expect(noTagKey.tag('model')).toBe('');
    expect(noTagKey.tag('team')).toBeNull();
    // two tags, in either order
    const two = [
      { Type: 'TAG' as const, Key: 'team' },
      { Type: 'TAG' as const, Key: 'namespace' },
    ];
    const t = readGroupKeys(two, ['namespace$llm', 'team$']);
    expect([t.tag('team'), t.tag('namespace')]).toEqual(['', 'llm']);
  });

  it('team and namespace from the groups answer by tag name, whatever their order', () => {
    const page: CostAndUsagePage = {
      GroupDefinitions: [
        { Type: 'TAG', Key: 'namespace' },
        { Type: 'TAG', Key: 'team' },
      ],
      ResultsByTime: [
        {
          TimePeriod: { Start: '2025-05-01', End: '2025-05-02' },
          Groups: [
            {
              Keys: ['namespace$llm', 'team$assistant'],
              Metrics: { UnblendedCost: { Amount: '5', Unit: 'USD' } },
            },
          ],
        },
      ],
    };
    const daily = { fetchedAt: 'x', request: {}, pages: [{ ResultsByTime: [] }] };
    const out = costExplorerFacts(
      daily,
      { fetchedAt: 'x', request: {}, pages: [page] },
      'UnblendedCost',
      tagKeys,
    );
    expect(out?.groups?.map((g) => [g.team, g.namespace])).toEqual([['assistant', 'llm']]);
  });
});
