/**
 * The postmortem's opening sections, pre-filled from the facts: the header table, summary, impact in numbers
 * (failed inferences, error budget, GPU cost), trigger and detection.
 */
import { MILESTONES, formatDuration, type ObjectChange } from '../../shared/incident';
import { formatMoney } from '../../shared/money';
import { formatValue } from './postmortemCharts';
import { MILESTONE_LABEL, at, cmp, firstAlert, modelName, type Ctx } from './postmortemContext';
import { failedSpend, gpuCosts, seriesFor, type ModelImpact } from './postmortemFacts';
import { grouped, latency, md, percent, utc } from './postmortemText';

export function header(ctx: Ctx): string[] {
  const { incident } = ctx.room;
  const models = ctx.impact.models
    .map((m) => `${md(m.name)} (${md(m.serviceId)})${m.role === 'fallback' ? ', fallback' : ''}`)
    .join('; ');
  const rows: Array<[string, string]> = [
    ['Incident', md(incident.id)],
    ['Severity', md(incident.severity)],
    ['Status', md(incident.status)],
    ['Commander', md(incident.commander)],
    ['Models', models || '—'],
  ];
  for (const name of MILESTONES) {
    const m = incident.milestones.find((x) => x.name === name);
    let value = utc(m?.at ?? null);
    if (m?.at && m.evidence) value += ` (${md(m.evidence.summary)})`;
    if (m?.corrected)
      value += `; corrected by ${md(m.corrected.by)}: ${md(m.corrected.reason)}; derived: ${utc(m.derivedAt)}`;
    rows.push([MILESTONE_LABEL[name], value]);
  }
  const iv = incident.intervals;
  rows.push(
    ['Time to detect', formatDuration(iv.timeToDetectS)],
    ['Time to acknowledge', formatDuration(iv.timeToAcknowledgeS)],
    ['Time to mitigate', formatDuration(iv.timeToMitigateS)],
    ['Time to resolve', formatDuration(iv.timeToResolveS)],
  );
  const cap = ctx.room.capture;
  rows.push([
    'Captured',
    `${md(ctx.input.captureName)}: ${utc(cap.from)} to ${utc(cap.to)}, ${grouped(cap.captures)} captures`,
  ]);
  return [
    `# Postmortem: ${md(incident.title)}`,
    '',
    '| Field | Value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    'Times are UTC on a 24-hour clock; every interval is measured from *started*.',
  ];
}
function sliSentence(m: ModelImpact): string | null {
  const parts: string[] = [];
  if (m.peakErrorRatio)
    parts.push(
      `its error ratio went ${m.baselineErrorRatio !== null ? `from ${percent(m.baselineErrorRatio)} ` : ''}to a peak of ${percent(m.peakErrorRatio.value)} (objective ${percent(m.objective.maxErrorRatio)})`,
    );
  if (m.peakP95)
    parts.push(
      `its p95 latency ${m.baselineP95 !== null ? `from ${latency(m.baselineP95)} ` : ''}to ${latency(m.peakP95.value)} (objective ${latency(m.objective.maxP95S)})`,
    );
  return parts.length ? `On ${md(m.name)}, ${parts.join(' and ')}.` : null;
}

export function summary(ctx: Ctx): string[] {
  const { ms } = ctx;
  const out: string[] = [];
  const involved = ctx.impact.models.filter((m) => m.role === 'involved');
  const when =
    ms.started !== null
      ? `It started at ${utc(new Date(ms.started).toISOString())}`
      : `It was declared at ${utc(ctx.room.incident.declaredAt)}`;
  out.push(
    `${when} and involved ${involved.map((m) => md(m.name)).join(', ') || 'no recorded model'} (${md(ctx.room.incident.severity)}).`,
  );
  for (const m of involved) {
    const s = sliSentence(m);
    if (s) out.push(s);
  }
  const failed = involved.reduce((s, m) => s + (m.failed?.failed ?? 0), 0);
  if (ctx.impact.window && involved.some((m) => m.failed))
    out.push(
      `About ${grouped(failed)} inferences failed between started and ${ctx.impact.window.until} (${formatDuration((ctx.impact.window.toMs - ctx.impact.window.fromMs) / 1000)}).`,
    );
  const alert = firstAlert(ctx);
  if (alert && ms.detected !== null)
    out.push(
      `Alert ${md(alert.name)} detected it at ${at(ctx, ms.detected)}, ${formatDuration(ctx.room.incident.intervals.timeToDetectS)} after it started.`,
    );
  const actions = ctx.timeline.filter((e) => e.source === 'action');
  if (actions.length)
    out.push(
      `What was done: ${actions
        .slice(0, 4)
        .map((a) => `${md(a.summary)} at ${at(ctx, Date.parse(a.at))}`)
        .join('; ')}${actions.length > 4 ? `; and ${actions.length - 4} more actions` : ''}.`,
    );
  if (ms.mitigated !== null)
    out.push(
      `It was mitigated at ${at(ctx, ms.mitigated)} (time to mitigate ${formatDuration(ctx.room.incident.intervals.timeToMitigateS)})${ms.resolved !== null ? ` and resolved at ${at(ctx, ms.resolved)} (time to resolve ${formatDuration(ctx.room.incident.intervals.timeToResolveS)})` : ''}.`,
    );
  return [
    out.join(' '),
    '',
    '> TODO (author): say in one or two sentences what happened, in your own words.',
  ];
}

export function impact(ctx: Ctx): string[] {
  const { window: win, models } = ctx.impact;
  const out: string[] = [];
  if (!win) {
    out.push(
      'The incident has no *started* time, so no impact window could be measured from the captured series.',
    );
  } else {
    const step = models
      .map((m) => seriesFor(ctx.room, m.serviceId, 'requests')?.stepS)
      .find((s) => s !== undefined);
    out.push(
      `Window: started (${utc(new Date(win.fromMs).toISOString())}) to ${win.until} (${utc(new Date(win.toMs).toISOString())}), ${formatDuration((win.toMs - win.fromMs) / 1000)}.`,
      '',
      `Failed inferences are the sum, over every captured sample in that window, of requests per second × error ratio × the step (${step ?? '—'} s), from ${md(ctx.input.captureName)}. A sample missing from either series is not counted.`,
      '',
      '| Model | Role | Failed inferences | Requests in window | Peak error ratio | Peak p95 | Error budget burned |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const m of models) {
      const f = m.failed;
      const burned = f && f.total > 0 ? percent(f.failed / (f.total * m.objective.maxErrorRatio)) : '—';
      const peakE = m.peakErrorRatio
        ? `${percent(m.peakErrorRatio.value)} at ${at(ctx, m.peakErrorRatio.atMs)}`
        : '—';
      const peakP = m.peakP95 ? `${latency(m.peakP95.value)} at ${at(ctx, m.peakP95.atMs)}` : '—';
      out.push(
        `| ${md(m.name)} | ${m.role} | ${f ? grouped(f.failed) : '—'} | ${f ? grouped(f.total) : '—'} | ${peakE} | ${peakP} | ${burned} |`,
      );
    }
    const missing = models.reduce((s, m) => s + (m.failed?.missing ?? 0), 0);
    if (missing > 0) out.push('', `${missing} samples in the window had no value and are not counted.`);
  }
  out.push('');
  for (const m of models.filter((x) => x.role === 'involved')) {
    const o = m.objective;
    out.push(
      `- Objective of ${md(m.name)}: at most ${percent(o.maxErrorRatio)} errors (availability ${percent(1 - o.maxErrorRatio)}) and p95 at most ${latency(o.maxP95S)}${m.objectiveAssumed ? ". Assumed: the incident records no objective for this model, so Firebreak's default is used; replace it with the model's SLO" : ''}.`,
    );
    if (m.failed && m.failed.total > 0)
      out.push(
        `- Error budget burned by ${md(m.name)}: failed ÷ (requests × ${percent(o.maxErrorRatio)}) = ${percent(m.failed.failed / (m.failed.total * o.maxErrorRatio))} of the budget of the requests served in the window.`,
      );
    if (m.failed && m.baselineRate !== null && m.baselineRate > 0) {
      const budget30 = m.baselineRate * 30 * 86_400 * o.maxErrorRatio;
      out.push(
        `- At its pre-incident rate (${formatValue('reqps', m.baselineRate)}), a 30-day window allows ${grouped(budget30)} failed inferences: this incident used ${percent(m.failed.failed / budget30)} of it (an estimate: the rate of the other 29 days is assumed).`,
      );
    }
  }
  out.push('', ...cost(ctx));
  return out;
}

function cost(ctx: Ctx): string[] {
  const { ms } = ctx;
  const end = ms.resolved ?? ms.mitigated ?? Date.parse(ctx.room.at);
  const durationS =
    ms.started !== null && Number.isFinite(end) ? Math.max(0, Math.round((end - ms.started) / 1000)) : null;
  const until =
    ms.resolved !== null ? 'resolved' : ms.mitigated !== null ? 'mitigated' : 'the time of this report';
  const c = gpuCosts(ctx.impact.models, durationS, ctx.input.gpusPerModel, ctx.input.gpuHourPrice);
  const out = [
    '### Cost',
    '',
    `GPU time held by the involved models from started to ${until} (${formatDuration(durationS)}): GPUs × duration${ctx.input.gpuHourPrice ? ' × the price per GPU-hour' : ''}, in exact decimals.`,
    '',
    '| Model | GPUs | GPU-hours | Price per GPU-hour | Cost |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of c.rows)
    out.push(
      `| ${md(r.name)} | ${r.gpus ?? 'unknown'} | ${r.gpuHours ?? '—'} | ${r.pricePerGpuHour ? formatMoney(r.pricePerGpuHour, { digits: 4 }) : '—'} | ${r.cost ? formatMoney(r.cost) : '—'} |`,
    );
  out.push(`| **Total** | | ${c.totalGpuHours ?? '—'} | | ${c.totalCost ? formatMoney(c.totalCost) : '—'} |`);
  if (c.rows.some((r) => r.gpus === null))
    out.push('', 'TODO (author): the GPU count of some models was not known; fill it in.');
  const spend = ctx.impact.models.flatMap((m) => {
    const tile = ctx.room.tiles.find((t) => t.serviceId === m.serviceId);
    const s = m.failed ? failedSpend(tile?.costPer1k ?? null, m.failed.failed) : null;
    return s && tile?.costPer1k
      ? [
          `- Serving the failed inferences of ${md(m.name)} cost about ${formatMoney(s)} (at ${formatMoney({ amount: tile.costPer1k, currency: 'USD' }, { digits: 4 })} per 1k inferences).`,
        ]
      : [];
  });
  if (spend.length) out.push('', ...spend);
  return out;
}

function fieldTable(c: ObjectChange): string[] {
  if (c.fields.length === 0) return ['(no field-level diff was captured)'];
  const fields = [...c.fields].sort((a, b) => cmp(a.path, b.path));
  const shown = fields.slice(0, 40);
  const out = [
    '| Field | Before | After |',
    '| --- | --- | --- |',
    ...shown.map(
      (f) =>
        `| ${md(f.path)} | ${f.before === null ? '—' : md(f.before)} | ${f.after === null ? '—' : md(f.after)} |`,
    ),
  ];
  if (fields.length > shown.length) out.push('', `and ${fields.length - shown.length} more fields.`);
  return out;
}

export function trigger(ctx: Ctx): string[] {
  const top = ctx.changes[0];
  if (!top)
    return [
      'No change of the involved models was captured in the 30 minutes before it started.',
      '',
      '> TODO (author): what set it off?',
    ];
  return [
    `The highest-ranked change in the 30 minutes before it started: ${md(top.object)} (${top.kinds.map(md).join(', ') || 'other'}${top.model ? `, model ${md(modelName(ctx, top.model))}` : ''}) at ${top.at ? at(ctx, Date.parse(top.at)) : 'an unknown time'}: ${md(top.summary)}.`,
    '',
    ...fieldTable(top),
    '',
    '> TODO (author): confirm that this change set it off (the ranking is a start, not a verdict).',
  ];
}

export function detection(ctx: Ctx): string[] {
  const { ms } = ctx;
  const out: string[] = [];
  const alert = firstAlert(ctx);
  if (alert) {
    out.push(
      `Alert ${md(alert.name)}${alert.severity ? ` (severity ${md(alert.severity)})` : ''}${alert.model ? ` on ${md(modelName(ctx, alert.model))}` : ''} started firing at ${at(ctx, Date.parse(alert.startsAt))}${alert.summary ? `: ${md(alert.summary)}` : ''}.`,
    );
  } else out.push('No alert of this incident fired.');
  out.push(
    '',
    `Time to detect: ${formatDuration(ctx.room.incident.intervals.timeToDetectS)} (detected at ${at(ctx, ms.detected)}).`,
  );
  const others = [...ctx.room.alerts]
    .sort((a, b) => cmp(a.startsAt, b.startsAt) || cmp(a.fingerprint, b.fingerprint))
    .slice(1);
  if (others.length)
    out.push(
      '',
      'Other alerts of this incident:',
      '',
      ...others.map(
        (a) =>
          `- ${md(a.name)} (${a.state}) from ${at(ctx, Date.parse(a.startsAt))}${a.endsAt ? ` to ${at(ctx, Date.parse(a.endsAt))}` : ''}${a.summary ? `: ${md(a.summary)}` : ''}`,
      ),
    );
  const cps = ctx.timeline.filter(
    (e) => e.source === 'changepoint' && (ms.detected === null || Date.parse(e.at) <= ms.detected),
  );
  if (cps.length)
    out.push(
      '',
      'Firebreak saw the series change before detection:',
      '',
      ...cps.slice(0, 10).map((e) => `- ${at(ctx, Date.parse(e.at))}: ${md(e.summary)}`),
    );
  return out;
}
