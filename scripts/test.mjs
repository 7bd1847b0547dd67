#!/usr/bin/env node
// The README's test command (`npm test`): every check CI runs, one summary line at the end.
//   typecheck, lint + format + unused exports (knip) + Electronegativity, unit and integration tests (vitest), the build, browser end-to-end (Playwright)
//   and the Electron end-to-end suite (skipped, and said so, where the Electron binary is not installed).
// The last line reads `N passed, N failed, N skipped`; it is also written to test-results/summary.txt.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`
const wanted = (name) => only.length === 0 || only.includes(name);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(
    `=== ${label}: exit ${r.status ?? r.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return r.status === 0;
}

function check(label, cmd, args) {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// `npm start` rebuilds better-sqlite3 for Electron's ABI; the tests run under Node and need Node's build back.
const sqliteLoads = spawnSync(
  process.execPath,
  ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
  { cwd: root },
);
if (sqliteLoads.status !== 0) run('rebuild better-sqlite3 for Node', 'npm', ['rebuild', 'better-sqlite3']);

if (wanted('static')) {
  check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  check('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
  check('format', 'npx', ['prettier', '--check', '.']);
  // no dead code: every export is imported somewhere, every file reached, every dependency used (knip.json)
  check('unused', 'npx', ['knip']);
  // Electron's security checklist, statically: zero findings (scripts/electronegativity.mjs says how it is run)
  check('electronegativity', 'node', ['scripts/electronegativity.mjs']);
}

for (const project of ['unit', 'integration']) {
  if (!wanted(project)) continue;
  const out = path.join(results, `vitest-${project}.json`);
  fs.rmSync(out, { force: true });
  const ok = run(project, 'npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = readJson(out);
  if (!report) {
    failed++;
    failures.push(`${project} (no report: the runner crashed)`);
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // a file that fails to load has no tests to count: count it as a failure
  const brokenFiles = report.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed += brokenFiles.length;
  for (const f of brokenFiles)
    failures.push(`${path.relative(root, f.name)}: ${String(f.message).split('\n')[0]}`);
  for (const f of report.testResults)
    for (const t of f.assertionResults) if (t.status === 'failed') failures.push(`${project}: ${t.fullName}`);
  if (!ok && report.numFailedTests === 0 && brokenFiles.length === 0) {
    failed++;
    failures.push(`${project}: runner exited non-zero`);
  }
}

if (wanted('e2e')) {
  const built = run('build', 'npm', ['run', 'build', '--silent']);
  if (!built) {
    failed++;
    failures.push('build');
  } else {
    const out = path.join(results, 'e2e-report.json');
    fs.rmSync(out, { force: true });
    const ok = run('e2e', 'npx', ['playwright', 'test', '-c', 'test/e2e/playwright.config.ts']);
    const report = readJson(out);
    if (!report) {
      failed++;
      failures.push('e2e (no report: the runner crashed)');
    } else {
      passed += report.stats.expected + report.stats.flaky;
      failed += report.stats.unexpected;
      skipped += report.stats.skipped;
      if (!ok && report.stats.unexpected === 0) {
        failed++;
        failures.push('e2e: runner exited non-zero');
      }
    }
    if (fs.existsSync(path.join(root, 'test/e2e-electron/playwright.config.ts'))) {
      const eout = path.join(results, 'e2e-electron-report.json');
      fs.rmSync(eout, { force: true });
      run('e2e-electron', 'npx', ['playwright', 'test', '-c', 'test/e2e-electron/playwright.config.ts']);
      const er = readJson(eout);
      if (er) {
        passed += er.stats.expected + er.stats.flaky;
        failed += er.stats.unexpected;
        skipped += er.stats.skipped;
      }
    }
  }
}

if (failures.length) {
  console.log('\nFailed:');
  for (const f of failures.slice(0, 50)) console.log(`  - ${f}`);
}
const summary = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
fs.writeFileSync(path.join(results, 'summary.txt'), summary + '\n');
console.log(`\n${summary}`);
process.exit(failed === 0 ? 0 : 1);
