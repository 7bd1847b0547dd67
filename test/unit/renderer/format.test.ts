import { describe, expect, it } from 'vitest';
import type { ModelService } from '../../../shared/models';
import {
  errorRatioSeverity,
  filterModels,
  formatAgo,
  formatCompact,
  formatPercent,
  formatRate,
  nextSort,
  replicaSeverity,
  serverLabel,
  shortDigest,
  sortModels,
  splitImage,
  summarizeDetails,
  DEFAULT_MODEL_SORT,
} from '../../../renderer/format';

describe('numbers', () => {
  it('formats request rates compactly', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(undefined)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.004)).toBe('<0.01/s');
    expect(formatRate(0.42)).toBe('0.42/s');
    expect(formatRate(3.5)).toBe('3.50/s');
    expect(formatRate(35)).toBe('35.0/s');
    expect(formatRate(350.4)).toBe('350/s');
    expect(formatRate(999.4)).toBe('999/s');
    expect(formatRate(999.7)).toBe('1.0k/s');
    expect(formatRate(1234)).toBe('1.2k/s');
    expect(formatRate(12_345)).toBe('12.3k/s');
    expect(formatRate(123_456)).toBe('123k/s');
    expect(formatRate(1_250_000)).toBe('1.3M/s');
    expect(formatCompact(-1500)).toBe('-1.5k');
  });

  it('formats error ratios as percentages', () => {
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0000004)).toBe('<0.01%');
    expect(formatPercent(0.0035)).toBe('0.35%');
    expect(formatPercent(0.0512)).toBe('5.12%');
    expect(formatPercent(0.2513)).toBe('25.1%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('grades error ratios: amber from 1 %, red from 5 %', () => {
    expect(errorRatioSeverity(null)).toBe('none');
    expect(errorRatioSeverity(0)).toBe('ok');
    expect(errorRatioSeverity(0.0099)).toBe('ok');
    expect(errorRatioSeverity(0.01)).toBe('warning');
    expect(errorRatioSeverity(0.0499)).toBe('warning');
    expect(errorRatioSeverity(0.05)).toBe('critical');
    expect(errorRatioSeverity(0.25)).toBe('critical');
  });

  it('grades replicas: red when fewer ready than desired, amber when none desired', () => {
    expect(replicaSeverity({ ready: 3, desired: 3 })).toBe('ok');
    expect(replicaSeverity({ ready: 2, desired: 3 })).toBe('critical');
    expect(replicaSeverity({ ready: 0, desired: 0 })).toBe('warning');
    expect(replicaSeverity({ ready: 4, desired: 3 })).toBe('ok');
  });

  it('says how long ago', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now - 5_400, now)).toBe('5 s ago');
    expect(formatAgo(now - 59_000, now)).toBe('59 s ago');
    expect(formatAgo(now - 125_000, now)).toBe('2 min ago');
    expect(formatAgo(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 3 * 86400_000, now)).toBe('3 d ago');
    expect(formatAgo(now + 5000, now)).toBe('just now');
  });
});

describe('audit details', () => {
  it('flattens nested details into one line of key=value', () => {
    expect(
      summarizeDetails({
        kube: { kubeconfigPath: '/k', context: null },
        prometheus: { url: 'http://p:9090', auth: 'none' },
        n: 3,
        list: [1, 2],
        empty: {},
      }),
    ).toBe(
      'kube.kubeconfigPath=/k  kube.context=null  prometheus.url=http://p:9090  prometheus.auth=none  n=3  list=[1,2]  empty={}',
    );
    expect(summarizeDetails({})).toBe('');
    expect(summarizeDetails({ a: 'x'.repeat(100) }, 20)).toHaveLength(20);
  });
});

describe('images', () => {
  it('splits repository, tag and digest; a registry port is not a tag', () => {
    expect(splitImage('vllm/vllm-openai:v0.6.3')).toEqual({
      repository: 'vllm/vllm-openai',
      tag: 'v0.6.3',
      digest: null,
    });
    expect(splitImage('registry.local:5000/ml/triton')).toEqual({
      repository: 'registry.local:5000/ml/triton',
      tag: 'latest',
      digest: null,
    });
    expect(splitImage('nvcr.io/nvidia/tritonserver:24.05-py3@sha256:0123456789abcdef0123')).toEqual({
      repository: 'nvcr.io/nvidia/tritonserver',
      tag: '24.05-py3',
      digest: 'sha256:0123456789abcdef0123',
    });
    expect(splitImage('ghcr.io/x/y@sha256:abc')).toEqual({
      repository: 'ghcr.io/x/y',
      tag: null,
      digest: 'sha256:abc',
    });
    expect(shortDigest('sha256:0123456789abcdef0123')).toBe('sha256:0123456789ab');
    // a KServe InferenceService with no container: model format and storage URI
    expect(splitImage('huggingface @ s3://models/bert-sentiment')).toEqual({
      modelSource: { format: 'huggingface', storageUri: 's3://models/bert-sentiment' },
      repository: '',
      tag: null,
      digest: null,
    });
  });

  it('names model servers as their projects do', () => {
    expect(serverLabel('vllm')).toBe('vLLM');
    expect(serverLabel('kserve')).toBe('KServe');
    expect(serverLabel('mlserver')).toBe('MLServer');
    expect(serverLabel('generic')).toBe('HTTP');
  });
});

function model(name: string, namespace: string, over: Partial<ModelService> = {}): ModelService {
  return {
    id: `${namespace}/Deployment/${name}`,
    name,
    namespace,
    workloadKind: 'Deployment',
    serverKind: 'vllm',
    modelName: name,
    replicas: { ready: 1, desired: 1 },
    image: `repo/${name}:1`,
    requestRate: 1,
    errorRatio: 0,
    ...over,
  };
}

describe('model table', () => {
  const models = [
    model('llama-8b-chat', 'llm', { errorRatio: 0.002, requestRate: 40 }),
    model('resnet50-images', 'vision', { errorRatio: null, requestRate: null }),
    model('llama-70b-chat', 'llm', { errorRatio: 0.25, requestRate: 12, replicas: { ready: 2, desired: 4 } }),
    model('bert-sentiment', 'nlp', { errorRatio: 0.012, requestRate: 300 }),
    model('fraud-detector', 'risk', { errorRatio: 0, requestRate: 1200, replicas: { ready: 0, desired: 0 } }),
  ];
  const names = (ms: ModelService[]) => ms.map((m) => m.name);

  it('sorts by error ratio, worst first, unknown last (the default)', () => {
    expect(DEFAULT_MODEL_SORT).toEqual({ key: 'errorRatio', dir: 'desc' });
    expect(names(sortModels(models, DEFAULT_MODEL_SORT))).toEqual([
      'llama-70b-chat',
      'bert-sentiment',
      'llama-8b-chat',
      'fraud-detector',
      'resnet50-images',
    ]);
    // unknown stays last ascending too
    expect(names(sortModels(models, { key: 'errorRatio', dir: 'asc' })).at(-1)).toBe('resnet50-images');
  });

  it('breaks ties (no metrics at all) by missing replicas, then name', () => {
    const noRates = models.map((m) => ({ ...m, errorRatio: null, requestRate: null }));
    expect(names(sortModels(noRates, DEFAULT_MODEL_SORT))).toEqual([
      'llama-70b-chat',
      'bert-sentiment',
      'fraud-detector',
      'llama-8b-chat',
      'resnet50-images',
    ]);
  });

  it('sorts by name, rate and missing replicas', () => {
    expect(names(sortModels(models, { key: 'name', dir: 'asc' }))[0]).toBe('bert-sentiment');
    expect(names(sortModels(models, { key: 'requestRate', dir: 'desc' }))[0]).toBe('fraud-detector');
    expect(names(sortModels(models, { key: 'replicas', dir: 'desc' }))[0]).toBe('llama-70b-chat');
    // input untouched
    expect(models[0]!.name).toBe('llama-8b-chat');
  });

  it('toggles the direction on the same column; numbers start worst-first, text A→Z', () => {
    expect(nextSort(DEFAULT_MODEL_SORT, 'errorRatio')).toEqual({ key: 'errorRatio', dir: 'asc' });
    expect(nextSort(DEFAULT_MODEL_SORT, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'requestRate')).toEqual({ key: 'requestRate', dir: 'desc' });
  });

  it('filters by name, namespace or namespace/name, ignoring case', () => {
    expect(names(filterModels(models, 'LLAMA'))).toEqual(['llama-8b-chat', 'llama-70b-chat']);
    expect(names(filterModels(models, 'vision'))).toEqual(['resnet50-images']);
    expect(names(filterModels(models, 'llm/llama-70'))).toEqual(['llama-70b-chat']);
    expect(filterModels(models, '  ')).toHaveLength(5);
    expect(filterModels(models, 'nothing')).toEqual([]);
  });
});
