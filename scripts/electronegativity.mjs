#!/usr/bin/env node
// Electronegativity (Doyensec's static checker for Electron apps) on the whole tree, as `npm test` runs it:
//   electronegativity -i . -e <the Electron version in package.json> -x AvailableSecurityFixesGlobalCheck
// AvailableSecurityFixesGlobalCheck is left out because it downloads Electron's release list (these machines
// are offline). Every finding counts except INFORMATIONAL ones (the check that reports which Electron version
// it read). Findings that were reviewed carry an `eng-disable <CHECK>` comment at the line, with the reason
// beside it (main/electron/main.ts, renderer/index.html). Exits 1 when anything is found.
//   node scripts/electronegativity.mjs [folder]   (default: the repository)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const version = String(pkg.devDependencies?.electron ?? '').replace(/^[^\d]*/, '');
if (!/^\d+\.\d+\.\d+$/.test(version)) {
  console.error(`electronegativity: package.json pins no exact Electron version (found "${version}")`);
  process.exit(1);
}
const input = path.resolve(process.argv[2] ?? root);
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-electronegativity-')), 'findings.csv');
const bin = path.join(root, 'node_modules', '.bin', 'electronegativity');
const r = spawnSync(
  bin,
  ['-i', input, '-e', version, '-x', 'AvailableSecurityFixesGlobalCheck', '-r', '-v', 'false', '-o', out],
  { cwd: root, encoding: 'utf8' },
);
if (r.status !== 0 || !fs.existsSync(out)) {
  console.error(`electronegativity did not run (exit ${r.status ?? r.signal}):\n${r.stderr || r.stdout}`);
  process.exit(1);
}
// one finding per line: ID,"SEVERITY","CONFIDENCE","file","line:col",sample,…
const rows = fs
  .readFileSync(out, 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => /^([A-Z_]+),"([A-Z]+)","([A-Z]+)","([^"]*)","([^"]*)"/.exec(line))
  .filter((m) => m !== null);
const findings = rows.filter((m) => m[2] !== 'INFORMATIONAL');
fs.rmSync(path.dirname(out), { recursive: true, force: true });
for (const m of findings) console.log(`${m[1]} ${m[2]}/${m[3]} ${m[4]}:${m[5]}`);
console.log(
  `electronegativity ${pkg.devDependencies['@doyensec/electronegativity']} -e ${version}: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${rows.length - findings.length} informational)`,
);
process.exit(findings.length === 0 ? 0 : 1);
