import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/audit';
import { csvText } from '../../../shared/csv';
import type { ModelService } from '../../../shared/models';
import { alertsCsv } from '../../../renderer/views/alerts/alertsCsv';
import {
  auditCsv,
  auditChoices,
  filterAudit,
  NO_AUDIT_FILTER,
} from '../../../renderer/views/audit/auditFilter';
import { gpuCsv } from '../../../renderer/views/gpu/gpuCsv';
import { modelsCsv } from '../../../renderer/views/models/modelsCsv';
import { exportFileName } from '../../../renderer/components/download';

const csv = (t: { header: readonly string[]; rows: ReadonlyArray<readonly unknown[]> }) =>
  csvText(t.header, t.rows as never).split('\r\n');

const entry = (seq: number, action: string, target: string, result: string, details = {}): AuditEntry => ({
  seq,
  at: `2026-12-03T10:0${seq}:00.000Z`,
  actor: 'ana@laptop',
  action,
  target,
  result,
  details,
  hash: `h${seq}`,
});

const log = [
  entry(1, 'settings.update', 'settings', 'saved', { changed: ['prometheus.url'] }),
  entry(2, 'rollback', 'Deployment llm/llama-70b-chat uid=1', 'done', {
    summary: 'Roll back llama-70b-chat',
  }),
  entry(3, 'silence', 'Silence alertname="GPUIdle" id=abc', 'done'),
  entry(4, 'silence.expire', 'Silence abc', 'failed', { error: 'Alertmanager refused' }),
];

describe('table CSV exports', () => {
  it('models: one row per model on screen, unknown rates as empty cells', () => {
    const m = {
      id: 'llm/Deployment/llama-70b-chat',
      name: '=cmd|llama',
      namespace: 'llm',
      workloadKind: 'Deployment',
      serverKind: 'vllm',
      modelName: 'llama',
      replicas: { ready: 2, desired: 3 },
      image: 'reg/vllm:1,2',
      requestRate: 12.34567,
      errorRatio: null,
    } as unknown as ModelService;
    const lines = csv(modelsCsv([m]));
    expect(lines[0]).toBe(
      'model,namespace,workload_kind,server,id,ready,desired,restarts,failing_pods,image,requests_per_s_5m,error_ratio_5m',
    );
    expect(lines[1]).toBe(
      `'=cmd|llama,llm,Deployment,vllm,llm/Deployment/llama-70b-chat,2,3,,,"reg/vllm:1,2",12.346,`,
    );
  });

  it('GPUs: nodes, model services and idle GPUs in one file, dollars to the cent', () => {
    const g = {
      key: 'node-a',
      label: 'node-a',
      gpus: 8,
      allocated: 6,
      avgUtil: 0.41234,
      efficiency: null,
      memUsedMiB: null,
      memTotalMiB: null,
      powerW: 301.27,
      costPerHour: 24.125,
    };
    const idle = {
      key: 'node-a/2',
      node: 'node-a',
      gpu: '2',
      modelName: null,
      namespace: 'ml-batch',
      pod: 'batch-0',
      serviceId: null,
      avgUtil: 0.01,
      maxUtil: 0.02,
      costPerHour: 3.061,
      priceSource: 'table' as const,
    };
    const lines = csv(gpuCsv([g], [], [idle]));
    expect(lines[1]).toBe('node,node-a,node-a,8,6,0.4123,,,,,301.3,24.13,');
    expect(lines[2]).toBe('idle_gpu,node-a/2,ml-batch/batch-0,1,1,0.01,,0.02,,,,3.06,table');
  });

  it('alerts: one row per alert with its group and labels', () => {
    const lines = csv(
      alertsCsv([
        {
          key: 'k',
          label: 'llama-70b-chat',
          serviceId: null,
          alerts: [
            {
              fingerprint: 'f1',
              name: 'ModelHighErrorRate',
              state: 'firing',
              severity: 'critical',
              summary: 'errors, "high"',
              description: null,
              labels: { alertname: 'ModelHighErrorRate', model: 'llama' },
              annotations: {},
              runbookUrl: null,
              startsAt: '2026-12-03T10:00:00Z',
              silencedBy: [],
              source: 'alertmanager',
            },
          ],
        },
      ]),
    );
    expect(lines[1]).toBe(
      'llama-70b-chat,ModelHighErrorRate,firing,critical,2026-12-03T10:00:00Z,"errors, ""high""",alertname=ModelHighErrorRate model=llama,,alertmanager,f1',
    );
  });

  it('audit: the filtered entries, with their details and hash', () => {
    const lines = csv(auditCsv(filterAudit(log, { ...NO_AUDIT_FILTER, action: 'rollback' })));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^2,2026-12-03T10:02:00.000Z,ana@laptop,rollback,Deployment llm\/llama-70b-chat uid=1,done,Roll back llama-70b-chat,"\{""summary"":""Roll back llama-70b-chat""\}",h2$/,
    );
  });

  it('names the file after the table and the day', () => {
    expect(exportFileName('models', 'csv', new Date(2026, 11, 3, 12))).toBe(
      'firebreak-models-2026-12-03.csv',
    );
  });
});

describe('audit filter', () => {
  it('narrows by action, result, target and any text, together', () => {
    const seqs = (f: Partial<typeof NO_AUDIT_FILTER>) =>
      filterAudit(log, { ...NO_AUDIT_FILTER, ...f }).map((e) => e.seq);
    expect(seqs({})).toEqual([1, 2, 3, 4]);
    expect(seqs({ action: 'silence' })).toEqual([3]);
    expect(seqs({ result: 'done' })).toEqual([2, 3]);
    expect(seqs({ target: 'LLAMA-70b' })).toEqual([2]);
    expect(seqs({ text: 'refused' })).toEqual([4]);
    expect(seqs({ text: 'prometheus.url ana' })).toEqual([1]);
    expect(seqs({ result: 'done', target: 'silence' })).toEqual([3]);
    expect(seqs({ action: 'rollback', result: 'failed' })).toEqual([]);
  });

  it('offers the values present, sorted', () => {
    expect(auditChoices(log, 'action')).toEqual(['rollback', 'settings.update', 'silence', 'silence.expire']);
    expect(auditChoices(log, 'result')).toEqual(['done', 'failed', 'saved']);
  });
});
