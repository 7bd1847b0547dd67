/**
 * The postmortem's later sections: response, recovery, root cause (left for the author, the ranked changes as a
 * start), action items, lessons learned, supporting information (the charts, each naming its capture) and the
 * audit footer.
 */
import { formatDuration } from '../../shared/incident';
import { METRIC_LABEL } from './postmortemCharts';
import {
  actionsAndNotes,
  at,
  cmp,
  firstAlert,
  modelName,
  sinceStarted,
  type Ctx,
  type PostmortemAudit,
} from './postmortemContext';
import { seriesFor, valueAt } from './postmortemFacts';
import { grouped, latency, md, percent } from './postmortemText';

export function response(ctx: Ctx): string[] {
  const entries = actionsAndNotes(ctx);
  if (entries.length === 0)
    return [
      'No action or note was recorded in Firebreak.',
      '',
      '> TODO (author): what did the responders do?',
    ];
  return [
    `Acknowledged at ${at(ctx, ctx.ms.acknowledged)} (time to acknowledge ${formatDuration(ctx.room.incident.intervals.timeToAcknowledgeS)}). Actions and notes, in order:`,
    '',
    ...entries.map(
      (e) =>
        `- ${at(ctx, Date.parse(e.at))} (${sinceStarted(ctx, Date.parse(e.at))}) ${e.source}${e.model ? ` on ${md(modelName(ctx, e.model))}` : ''}: ${md(e.summary)}`,
    ),
  ];
}

export function recovery(ctx: Ctx): string[] {
  const { ms } = ctx;
  const out: string[] = [];
  const m = ctx.room.incident.milestones.find((x) => x.name === 'mitigated');
  if (ms.mitigated !== null) {
    out.push(
      `Mitigated at ${at(ctx, ms.mitigated)}${m?.evidence ? `: ${md(m.evidence.summary)}` : ''} (time to mitigate ${formatDuration(ctx.room.incident.intervals.timeToMitigateS)}).`,
    );
    const last = ctx.timeline
      .filter((e) => e.source === 'action' && Date.parse(e.at) <= ms.mitigated!)
      .at(-1);
    if (last)
      out.push('', `The last action before it: ${md(last.summary)} at ${at(ctx, Date.parse(last.at))}.`);
    const values = ctx.impact.models.flatMap((im) => {
      const e = valueAt(seriesFor(ctx.room, im.serviceId, 'errorRatio'), ms.mitigated);
      const p = valueAt(seriesFor(ctx.room, im.serviceId, 'p95'), ms.mitigated);
      const parts = [
        e !== null ? `error ratio ${percent(e)}` : null,
        p !== null ? `p95 ${latency(p)}` : null,
      ].filter(Boolean);
      return parts.length ? [`- ${md(im.name)} at mitigation: ${parts.join(', ')}`] : [];
    });
    if (values.length) out.push('', ...values);
  } else
    out.push(
      'Not mitigated in the capture: no 5-minute stretch with every involved model within objective after the last action.',
    );
  const resolvedAlerts = ctx.room.alerts
    .filter((a) => a.endsAt)
    .sort((a, b) => cmp(a.endsAt!, b.endsAt!) || cmp(a.fingerprint, b.fingerprint));
  if (resolvedAlerts.length)
    out.push(
      ...(out.at(-1)?.startsWith('- ') ? [] : ['']),
      ...resolvedAlerts.map((a) => `- Alert ${md(a.name)} resolved at ${at(ctx, Date.parse(a.endsAt!))}`),
    );
  out.push(
    '',
    ms.resolved !== null
      ? `Resolved at ${at(ctx, ms.resolved)} (time to resolve ${formatDuration(ctx.room.incident.intervals.timeToResolveS)}).`
      : 'Not resolved yet.',
  );
  return out;
}
export function rootCause(ctx: Ctx): string[] {
  const out = [
    '> TODO (author): the root cause, and why it could happen. The ranked changes before it started, as a start:',
    '',
  ];
  if (ctx.changes.length === 0)
    return [...out, '- (no change of the involved models was captured in the 30 minutes before it started)'];
  const shown = ctx.changes.slice(0, 10);
  out.push(
    ...shown.map(
      (c, i) =>
        `${i + 1}. ${md(c.object)}: ${c.kinds.map(md).join(', ') || 'other'}${c.at ? ` at ${at(ctx, Date.parse(c.at))}` : ''}: ${md(c.summary)}`,
    ),
  );
  if (ctx.changes.length > shown.length)
    out.push('', `and ${ctx.changes.length - shown.length} more changes.`);
  return out;
}

export function actionItems(ctx: Ctx): string[] {
  const top = ctx.changes[0];
  const prevent = top
    ? `TODO: catch a change like ${md(top.object)} (${top.kinds.map(md).join(', ') || 'other'}) before it takes traffic (canary, automatic rollback on SLO breach)`
    : 'TODO: prevent the trigger from recurring';
  const ttd = ctx.room.incident.intervals.timeToDetectS;
  const process =
    ttd !== null
      ? `TODO: review the alerting that took ${formatDuration(ttd)} to detect it`
      : 'TODO: add an alert that would have detected it';
  return [
    '| Item | Type | Owner | Tracker |',
    '| --- | --- | --- | --- |',
    `| ${prevent} | prevent | TODO | TODO |`,
    `| ${process} | process | TODO | TODO |`,
  ];
}

export function lessons(ctx: Ctx): string[] {
  const iv = ctx.room.incident.intervals;
  const well: string[] = [];
  const wrong: string[] = [];
  const lucky: string[] = [];
  const alert = firstAlert(ctx);
  if (iv.timeToDetectS !== null) {
    const s = `Time to detect was ${formatDuration(iv.timeToDetectS)}${alert ? ` (alert ${md(alert.name)})` : ''}.`;
    (iv.timeToDetectS <= 300 ? well : wrong).push(s);
  } else wrong.push('No alert detected it.');
  if (iv.timeToAcknowledgeS !== null)
    well.push(`Time to acknowledge was ${formatDuration(iv.timeToAcknowledgeS)}.`);
  if (iv.timeToMitigateS !== null) {
    const last = ctx.timeline
      .filter(
        (e) => e.source === 'action' && ctx.ms.mitigated !== null && Date.parse(e.at) <= ctx.ms.mitigated,
      )
      .at(-1);
    well.push(
      `Time to mitigate was ${formatDuration(iv.timeToMitigateS)}${last ? `, after ${md(last.summary)}` : ''}.`,
    );
  } else wrong.push('It was not mitigated within the capture.');
  for (const m of ctx.impact.models.filter((x) => x.role === 'involved')) {
    if (m.failed && m.failed.failed >= 0.5)
      wrong.push(`About ${grouped(m.failed.failed)} inferences of ${md(m.name)} failed.`);
    if (m.peakErrorRatio && m.peakErrorRatio.value > m.objective.maxErrorRatio)
      wrong.push(
        `The error ratio of ${md(m.name)} peaked at ${percent(m.peakErrorRatio.value)}, ${Number((m.peakErrorRatio.value / m.objective.maxErrorRatio).toFixed(1))}× its objective.`,
      );
    if (m.peakP95 && m.peakP95.value > m.objective.maxP95S)
      wrong.push(
        `The p95 latency of ${md(m.name)} peaked at ${latency(m.peakP95.value)} (objective ${latency(m.objective.maxP95S)}).`,
      );
  }
  if (ctx.input.audit.ok)
    well.push(
      `The audit chain verifies (${grouped(ctx.input.audit.entries)} entries): every action is on record.`,
    );
  else wrong.push('The audit chain does not verify (see the footer).');
  const fallbacks = ctx.impact.models.filter((m) => m.role === 'fallback');
  if (fallbacks.length)
    lucky.push(`A fallback model was configured: ${fallbacks.map((m) => md(m.name)).join(', ')}.`);
  const from = ctx.room.capture.from ? Date.parse(ctx.room.capture.from) : null;
  if (from !== null && ctx.ms.started !== null && from < ctx.ms.started)
    lucky.push(
      `The flight recorder was already capturing before it started (from ${at(ctx, from)}), so the lead-up is on record.`,
    );
  well.push('TODO (author)');
  wrong.push('TODO (author)');
  lucky.push('TODO (author): what could have made it worse?');
  const list = (xs: string[]) => xs.map((x) => `- ${x}`);
  return [
    '### What went well',
    '',
    ...list(well),
    '',
    '### What went wrong',
    '',
    ...list(wrong),
    '',
    '### Where we got lucky',
    '',
    ...list(lucky),
  ];
}

export function supporting(ctx: Ctx): string[] {
  const out: string[] = [];
  if (ctx.charts.length === 0) out.push('No series was captured for the involved models.');
  for (const c of ctx.charts) {
    const label = `${c.model.name} (${c.model.role}): ${METRIC_LABEL[c.series.metric]}`;
    const missing = c.series.values.filter((v) => v === null).length;
    out.push(
      `### ${md(label)}`,
      '',
      `![${md(label)}](assets/${c.base}.svg)`,
      '',
      `Source: ${md(ctx.input.captureName)}, series ${md(c.series.key)}, ${c.series.values.length} samples every ${c.series.stepS} s${missing ? ` (${missing} missing, drawn as gaps)` : ''}. Data: [assets/${c.base}.csv](assets/${c.base}.csv).`,
      '',
    );
  }
  return out;
}
export function footer(audit: PostmortemAudit): string[] {
  const line = audit.ok
    ? `Audit chain verified: ${audit.entries} entries.`
    : `Audit chain does NOT verify${audit.brokenAt !== null && audit.brokenAt !== undefined ? `: broken at entry ${audit.brokenAt}` : ''}${audit.truncated ? ` (the newest entries were deleted: ${audit.truncated.expectedEntries} expected, ${audit.entries} found)` : ''}.`;
  return ['---', '', line];
}
