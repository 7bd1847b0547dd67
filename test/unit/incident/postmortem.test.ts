import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import {
  POSTMORTEM_SECTIONS,
  buildPostmortem,
  writePostmortem,
  zipPostmortem,
  type PostmortemInput,
} from '../../../main/incident/postmortem';
import { chartSvg } from '../../../main/incident/postmortemCharts';
import { md, mermaid } from '../../../main/incident/postmortemText';
import type {
  CapturedSeries,
  Milestone,
  MilestoneName,
  TimelineEntry,
  WarRoom,
} from '../../../shared/incident';

const STEP_S = 15;
const T0 = Date.parse('2026-10-14T16:00:00Z');
const N = 240; // one hour on a 15 s grid
const at = (i: number) => new Date(T0 + i * STEP_S * 1000).toISOString();
const MODEL = 'prod/InferenceService/llama-chat';
const FALLBACK = 'prod/InferenceService/llama-small';
const HOSTILE = 'oops <img src=x onerror=alert(1)> | done \u202Egnp.exe';

// the error ratio: 0.001, then 0.25 from sample 80 to 139, then 0.001; requests vary; a gap of 3 samples
const errorRatio: Array<number | null> = Array.from({ length: N }, (_, i) =>
  i >= 80 && i < 140 ? 0.25 : 0.001,
);
const requests: Array<number | null> = Array.from({ length: N }, (_, i) => 100 + (i % 7) * 3);
for (const i of [100, 101, 102]) errorRatio[i] = null;
requests[110] = null;
const p95: Array<number | null> = Array.from({ length: N }, (_, i) => (i >= 80 && i < 140 ? 2.4 : 0.42));

function series(key: string, model: string, metric: CapturedSeries['metric'], values: Array<number | null>) {
  const unit = {
    requests: 'reqps',
    errorRatio: 'ratio',
    p95: 'seconds',
    gpuUtil: 'percent',
    replicasReady: 'count',
  } as const;
  return {
    key,
    model,
    metric,
    unit: unit[metric],
    t0: at(0),
    stepS: STEP_S,
    values,
  } satisfies CapturedSeries;
}

const MS: Record<MilestoneName, number> = {
  started: 80,
  detected: 88,
  acknowledged: 92,
  mitigated: 140,
  resolved: 200,
};
const milestone = (name: MilestoneName): Milestone => ({
  name,
  at: at(MS[name]),
  evidence: {
    kind: name === 'detected' ? 'alert' : 'sli',
    summary: name === 'detected' ? HOSTILE : `${name} evidence`,
    entryId: null,
  },
  corrected: null,
  derivedAt: at(MS[name]),
});
const since = (name: MilestoneName) => (MS[name] - MS.started) * STEP_S;

function entry(
  id: number,
  i: number,
  source: TimelineEntry['source'],
  summary: string,
  model: string | null = MODEL,
): TimelineEntry {
  return {
    id,
    at: at(i),
    source,
    model,
    tone: 'info',
    summary,
    count: 1,
    lastAt: null,
    object: null,
    diff: null,
  };
}

function room(): WarRoom {
  return {
    incident: {
      id: 'inc-2026-10-14-abc123',
      title: 'llama-chat errors after rollout',
      severity: 'SEV2',
      status: 'resolved',
      commander: 'dana',
      models: [
        {
          serviceId: MODEL,
          name: 'llama-chat',
          serverKind: 'vllm',
          modelName: 'llama',
          fallbackId: FALLBACK,
        },
      ],
      alertNames: ['HighErrorRate'],
      declaredAt: at(90),
      closedAt: at(200),
      milestones: (['started', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const).map(milestone),
      intervals: {
        timeToDetectS: since('detected'),
        timeToAcknowledgeS: since('acknowledged'),
        timeToMitigateS: since('mitigated'),
        timeToResolveS: since('resolved'),
      },
      lastActionAt: at(130),
      origin: 'sample',
      readonly: true,
    },
    at: at(239),
    live: false,
    tiles: [],
    alerts: [
      {
        fingerprint: 'f1',
        name: 'HighErrorRate',
        state: 'resolved',
        severity: 'critical',
        summary: HOSTILE,
        model: MODEL,
        startsAt: at(88),
        endsAt: at(150),
      },
    ],
    series: [
      series(`${MODEL}:errorRatio`, MODEL, 'errorRatio', errorRatio),
      series(`${MODEL}:p95`, MODEL, 'p95', p95),
      series(`${MODEL}:requests`, MODEL, 'requests', requests),
      series(
        `${FALLBACK}:requests`,
        FALLBACK,
        'requests',
        Array.from({ length: N }, () => 5),
      ),
    ],
    changes: [
      {
        object: 'Deployment prod/llama-chat-predictor',
        model: MODEL,
        kinds: ['image', 'revision'],
        rank: 10,
        at: at(76),
        summary: 'image llama:1.4 → llama:1.5',
        fields: [{ path: 'spec.template.spec.containers[0].image', before: 'llama:1.4', after: 'llama:1.5' }],
        diff: null,
      },
      {
        object: 'ConfigMap prod/other',
        model: MODEL,
        kinds: ['other'],
        rank: 1,
        at: at(70),
        summary: 'data changed',
        fields: [],
        diff: null,
      },
    ],
    capture: { from: at(0), to: at(239), captures: 240, lastCaptureAt: at(239), recording: false },
    cursorEntryId: null,
  };
}

function input(over: Partial<PostmortemInput> = {}): PostmortemInput {
  return {
    warRoom: room(),
    timeline: [
      entry(1, 76, 'change', 'Deployment prod/llama-chat-predictor: image llama:1.4 → llama:1.5'),
      entry(2, 88, 'alert', `HighErrorRate firing: ${HOSTILE}`),
      entry(3, 92, 'note', 'looking at the new revision; rolling back'),
      entry(4, 130, 'action', 'rollback llama-chat to revision 3'),
    ],
    audit: { ok: true, entries: 12, brokenAt: null },
    captureName: 'incident file inc-2026-10-14-abc123.fbi',
    gpusPerModel: new Map([[MODEL, 8]]),
    gpuHourPrice: new Map([[MODEL, '2.4975']]),
    ...over,
  };
}

const text = (files: Array<{ name: string; content: Buffer }>, name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${files.map((x) => x.name).join(', ')}`);
  return f.content.toString('utf8');
};

describe('the postmortem', () => {
  const { files } = buildPostmortem(input());
  const doc = text(files, 'postmortem.md');

  it('has every section, in order, after the title and the header table', () => {
    expect(doc.startsWith('# Postmortem: llama-chat errors after rollout\n')).toBe(true);
    const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([...POSTMORTEM_SECTIONS]);
    for (const row of [
      '| Severity | SEV2 |',
      '| Commander | dana |',
      '| Time to detect | 2m 00s |',
      '| Time to mitigate | 15m 00s |',
      '| Time to resolve | 30m 00s |',
    ])
      expect(doc).toContain(row);
    expect(doc).toContain('| Started | 2026-10-14 16:20:00 UTC');
    expect(doc).not.toMatch(/MTTR/);
    expect(doc).toContain('Audit chain verified: 12 entries.');
  });

  it('counts the failed inferences as an independent sum of requests × error ratio × step over [started, mitigated)', () => {
    let failed = 0;
    for (let i = MS.started; i < MS.mitigated; i++) {
      const r = requests[i];
      const e = errorRatio[i];
      if (r !== null && r !== undefined && e !== null && e !== undefined) failed += r * e * STEP_S;
    }
    // 60 samples, 4 of them missing (3 error ratio, 1 requests)
    const expected = Math.round(failed).toLocaleString('en-US');
    expect(failed).toBeGreaterThan(20_000);
    const impact = doc.slice(doc.indexOf('## Impact'), doc.indexOf('## Trigger'));
    expect(impact).toMatch(new RegExp(`\\| llama-chat \\| involved \\| ${expected} \\|`));
    expect(impact).toContain('4 samples in the window had no value');
    expect(doc).toContain(`About ${expected} inferences failed`);
    // the objective is Firebreak's default and the text says so
    expect(impact).toContain('at most 0.50% errors');
    expect(impact).toMatch(/Assumed: the incident records no objective/);
    // 8 GPUs x 30 min = 4 GPU-hours; x 2.4975 = 9.99 exactly
    expect(impact).toContain('| llama-chat | 8 | 4.00 | $2.4975 | $9.99 |');
    expect(impact).toMatch(/peak of|Peak error ratio/);
    expect(doc).toContain('to a peak of 25.0% (objective 0.50%)');
  });

  it('pre-fills trigger, detection, response, recovery, action items and lessons from the facts', () => {
    const section = (name: string) => {
      const from = doc.indexOf(`## ${name}\n`);
      return doc.slice(from, doc.indexOf('\n## ', from + 3));
    };
    expect(section('Trigger')).toContain('Deployment prod/llama-chat-predictor');
    expect(section('Trigger')).toContain(
      '| spec.template.spec.containers\\[0\\].image | llama:1.4 | llama:1.5 |',
    );
    expect(section('Detection')).toContain('Alert HighErrorRate (severity critical)');
    expect(section('Detection')).toContain('Time to detect: 2m 00s');
    expect(section('Response')).toContain(
      '16:32:30 (+12m 30s) action on llama-chat: rollback llama-chat to revision 3',
    );
    expect(section('Response')).toContain('note on llama-chat: looking at the new revision; rolling back');
    expect(section('Recovery')).toContain('The last action before it: rollback llama-chat to revision 3');
    expect(section('Root cause')).toContain('1. Deployment prod/llama-chat-predictor');
    expect(section('Root cause')).toContain('2. ConfigMap prod/other');
    expect(section('Action items')).toMatch(/\| TODO: .* \| prevent \| TODO \| TODO \|/);
    expect(section('Lessons learned')).toContain('- Time to detect was 2m 00s');
    expect(section('Lessons learned')).toContain('### Where we got lucky');
    expect(section('Lessons learned')).toContain('A fallback model was configured: llama-small.');
  });

  it('embeds a chart per involved model and SLI, each named by its capture, with a CSV of as many rows as samples', () => {
    const svgs = files.filter((f) => f.name.endsWith('.svg')).map((f) => f.name);
    expect(svgs).toEqual([
      'assets/prod-InferenceService-llama-chat-errorRatio.svg',
      'assets/prod-InferenceService-llama-chat-p95.svg',
      'assets/prod-InferenceService-llama-chat-requests.svg',
      'assets/prod-InferenceService-llama-small-requests.svg',
    ]);
    for (const name of svgs) {
      const svg = text(files, name);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/<script|href=|<foreignObject|on\w+=/i);
      for (const label of ['started', 'detected', 'mitigated', 'resolved'])
        expect(svg).toContain(`>${label}</text>`);
      expect(svg).toContain('Source: incident file inc-2026-10-14-abc123.fbi');
      // balanced tags: every opened element is closed
      const opened = (svg.match(/<[a-z]+[\s>]/g) ?? []).length;
      const closed = (svg.match(/<\/[a-z]+>|\/>/g) ?? []).length;
      expect(opened).toBe(closed);
      expect(doc).toContain(`](${name})`);
      const csv = text(files, name.replace(/\.svg$/, '.csv'))
        .trimEnd()
        .split('\n');
      expect(csv[0]).toBe('time,value');
      expect(csv).toHaveLength(N + 1);
    }
    const er = text(files, 'assets/prod-InferenceService-llama-chat-errorRatio.svg');
    expect(er).toContain('llama-chat (involved): error ratio');
    expect(er).toContain('objective 0.50%');
    // the 3 missing error-ratio samples break the line: two runs, never interpolated across
    expect((er.match(/<path d="[^"]*"/)![0].match(/M/g) ?? []).length).toBe(2);
    const csv = text(files, 'assets/prod-InferenceService-llama-chat-errorRatio.csv').split('\n');
    expect(csv[1]).toBe('2026-10-14T16:00:00.000Z,0.001');
    expect(csv[101]).toBe('2026-10-14T16:25:00.000Z,');
    expect(doc).toContain(
      'Source: incident file inc-2026-10-14-abc123.fbi, series prod/InferenceService/llama-chat:errorRatio, 240 samples every 15 s',
    );
  });

  it('has a Mermaid timeline and a 24-hour UTC table', () => {
    expect(doc).toMatch(/```mermaid\ntimeline\n {4}title /);
    const mmd = text(files, 'assets/timeline.mmd');
    expect(doc).toContain(mmd.trimEnd());
    // colons in the times are entity codes: Mermaid's timeline reads ':' as the start of an event
    expect(mmd).toContain('16#58;20#58;00 : Started');
    expect(mmd).toContain('section Before it started');
    for (const line of mmd.split('\n').slice(2))
      expect(line.replace(/ : /g, ' ').replace(/#\d+;/g, '')).not.toMatch(/[:;#<>%]/);
    expect(doc).toContain(
      '| 16:32:30 | +12m 30s | action | llama-chat | rollback llama-chat to revision 3 |',
    );
    expect(doc).toContain('| 16:20:00 | +0s | **milestone** | cluster | **Started** |');
  });

  it('escapes hostile text from the cluster everywhere: no HTML, no table break, bidi shown', () => {
    expect(doc).not.toContain('<img');
    expect(doc).not.toContain('\u202E');
    expect(doc).toContain('oops &lt;img src=x onerror=alert(1)&gt; \\| done ⟨U+202E⟩gnp.exe');
    // the table rows that hold it still have their five cells
    const row = doc.split('\n').find((l) => l.startsWith('| 16:22:00 |'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
    for (const f of files) {
      const t = f.content.toString('utf8');
      expect(t).not.toContain('\u202E');
      // a CSV is data (GitHub shows it as an escaped table); everything else must not carry the tag
      if (!f.name.endsWith('.csv')) expect(t).not.toContain('<img');
    }
    const svg = chartSvg({
      series: room().series[0]!,
      modelName: HOSTILE,
      role: 'involved',
      milestones: [],
      objective: null,
      captureName: '<script>x</script>',
    });
    expect(svg).not.toMatch(/<script|<img/);
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md('[x](javascript:alert(1)) *b* `c`')).toBe('\\[x\\](javascript:alert(1)) \\*b\\* \\`c\\`');
    expect(mermaid('a: b; c # d %% e')).toBe('a#58; b#59; c #35; d #37;#37; e');
  });

  it('says when the audit chain does not verify', () => {
    const broken = text(
      buildPostmortem(input({ audit: { ok: false, entries: 12, brokenAt: 7 } })).files,
      'postmortem.md',
    );
    expect(broken.trimEnd().endsWith('Audit chain does NOT verify: broken at entry 7.')).toBe(true);
  });

  it('uses the objective on the incident when given', () => {
    const doc2 = text(
      buildPostmortem(input({ objectives: new Map([[MODEL, { maxErrorRatio: 0.01, maxP95S: 2 }]]) })).files,
      'postmortem.md',
    );
    expect(doc2).toContain('at most 1.00% errors');
    expect(doc2).not.toContain('Assumed: the incident records no objective for this model');
  });

  it('is deterministic: two builds are byte-equal, and so are their zips', () => {
    const a = buildPostmortem(input()).files;
    const b = buildPostmortem(input()).files;
    expect(a.map((f) => f.name)).toEqual(b.map((f) => f.name));
    a.forEach((f, i) => expect(f.content.equals(b[i]!.content)).toBe(true));
    expect(zipPostmortem(a).equals(zipPostmortem(b))).toBe(true);
  });

  it('zips to the same bytes in any time zone', () => {
    const { files } = buildPostmortem(input());
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utcZip = zipPostmortem(files, { mtime: '2026-10-14T16:50:00Z' });
      process.env.TZ = 'America/Los_Angeles';
      const laZip = zipPostmortem(files, { mtime: '2026-10-14T16:50:00Z' });
      expect(laZip.equals(utcZip)).toBe(true);
      process.env.TZ = 'Pacific/Kiritimati';
      const kiritimati = zipPostmortem(files);
      process.env.TZ = 'UTC';
      expect(zipPostmortem(files).equals(kiritimati)).toBe(true);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

describe('writing and zipping', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('the zip round-trips with fflate', () => {
    const { files } = buildPostmortem(input());
    const out = unzipSync(new Uint8Array(zipPostmortem(files)));
    expect(Object.keys(out).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(Buffer.from(out[f.name]!).equals(f.content)).toBe(true);
  });

  it('writes the folder atomically and refuses a name that leaves it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-'));
    dirs.push(dir);
    const { files } = buildPostmortem(input());
    const target = path.join(dir, 'out');
    writePostmortem(target, files);
    writePostmortem(target, files); // again, over the first
    for (const f of files) expect(fs.readFileSync(path.join(target, f.name)).equals(f.content)).toBe(true);
    const all = fs.readdirSync(target, { recursive: true }).map(String);
    expect(all.some((n) => n.endsWith('.tmp'))).toBe(false);
    expect(() => writePostmortem(target, [{ name: '../evil.md', content: Buffer.from('x') }])).toThrow(
      /outside/,
    );
    expect(fs.existsSync(path.join(dir, 'evil.md'))).toBe(false);
  });
});
