import type { RevisionDiffLine, RevisionSummary } from './models';

/** What changed between two revisions, field by field: images, args, env var names, resources, GPUs, change-cause. */
export function revisionDiff(from: RevisionSummary, to: RevisionSummary): RevisionDiffLine[] {
  const lines: RevisionDiffLine[] = [];
  const names = [...new Set([...from.containers.map((c) => c.name), ...to.containers.map((c) => c.name)])];
  for (const name of names) {
    const a = from.containers.find((c) => c.name === name);
    const b = to.containers.find((c) => c.name === name);
    if (!a || !b) {
      lines.push({ container: name, field: 'container', from: a ? a.image : null, to: b ? b.image : null });
      continue;
    }
    if (a.image !== b.image) lines.push({ container: name, field: 'image', from: a.image, to: b.image });
    if (a.args.join(' ') !== b.args.join(' '))
      lines.push({ container: name, field: 'args', from: a.args.join(' '), to: b.args.join(' ') });
    for (const env of a.envNames.filter((n) => !b.envNames.includes(n)))
      lines.push({ container: name, field: 'env', from: env, to: null });
    for (const env of b.envNames.filter((n) => !a.envNames.includes(n)))
      lines.push({ container: name, field: 'env', from: null, to: env });
    for (const key of new Set([...Object.keys(a.resources), ...Object.keys(b.resources)])) {
      if (a.resources[key] !== b.resources[key])
        lines.push({
          container: name,
          field: key,
          from: a.resources[key] ?? null,
          to: b.resources[key] ?? null,
        });
    }
  }
  if (from.changeCause !== to.changeCause)
    lines.push({ container: null, field: 'change-cause', from: from.changeCause, to: to.changeCause });
  return lines;
}
