import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSample, SAMPLE_ID } from '../../../scripts/sample';
import { exportIncident, loadIncident, readFile } from '../../../main/incident/incidentFile';
import { warRoom } from '../../../main/incident/incidents';
import { openStore } from '../../../main/store';
import { createScenario } from '../../harness/scenario';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-incident-file-'));
const samplePath = path.join(tmp, 'sample.fbi');
const made = buildSample(samplePath);
const bytes = fs.readFileSync(samplePath);

describe('the sample incident', () => {
  it('is made deterministically, fits in 5 MB, and is the bundled one', () => {
    const again = path.join(tmp, 'again.fbi');
    buildSample(again);
    expect(fs.readFileSync(again).equals(bytes)).toBe(true);
    expect(made.bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    const bundled = path.resolve(
      import.meta.dirname,
      '../../../resources/sample-incident/sample-incident.fbi',
    );
    expect(
      fs.readFileSync(bundled).equals(bytes),
      'resources/sample-incident/sample-incident.fbi is stale: run npm run sample',
    ).toBe(true);
  });

  it("tells the scenario's story, with milestones at the story's own times", () => {
    const o = loadIncident(bytes, 'sample.fbi');
    const R = createScenario({ now: new Date('2026-10-14T18:00:00Z') }).incident.startsAt.getTime();
    const room = warRoom(o.store, o.record, 'sample', Date.parse(o.record.closedAt!), false);
    const at = (n: string) => Date.parse(room.incident.milestones.find((m) => m.name === n)!.at!);
    // the error ratio (1-minute rate, 15 s samples) crosses its objective within a minute of the rollout
    expect(at('started') - R).toBeGreaterThanOrEqual(0);
    expect(at('started') - R).toBeLessThanOrEqual(60_000);
    expect(at('detected')).toBe(R + 2 * 60_000); // the alert
    expect(at('acknowledged')).toBe(R + 5 * 60_000); // the commander's note
    expect(at('mitigated')).toBe(R + 13 * 60_000); // within objective from the route restore on
    expect(at('resolved')).toBe(R + 26 * 60_000);
    expect(o.audit.ok).toBe(true);
    const sources = new Set(
      o.store.incidents.timeline({ fromMs: 0, toMs: Date.now(), limit: 10_000 }).rows.map((r) => r.source),
    );
    expect([...sources].sort()).toEqual(['action', 'alert', 'change', 'changepoint', 'event', 'note']);
    // the rollout precedes the error rise, which precedes the alert
    const rows = o.store.incidents.timeline({ fromMs: 0, toMs: Date.now(), limit: 10_000 }).rows;
    const rollout = rows.find(
      (r) => r.source === 'change' && r.summary.includes('v0.6.3 → vllm/vllm-openai:v0.6.4'),
    )!;
    const rise = rows.find(
      (r) => r.source === 'changepoint' && r.summary.includes('error ratio') && r.summary.includes('rose'),
    )!;
    const alert = rows.find((r) => r.source === 'alert')!;
    expect(rollout.atMs).toBeLessThanOrEqual(rise.atMs);
    expect(rise.atMs).toBeLessThanOrEqual(alert.atMs);
    expect(room.changes[0]!.object).toBe('Deployment llm/llama-70b-chat');
    o.store.close();
  });
});

describe('opening an incident file checks it', () => {
  const refuse = (b: Buffer) => {
    try {
      readFile(b, 'x.fbi');
    } catch (err) {
      return (err as Error).message;
    }
    return 'opened';
  };

  it('refuses a truncated, a tampered, a newer-version, a random and a non-Firebreak file, each with its reason', () => {
    expect(refuse(bytes.subarray(0, bytes.length - 100))).toMatch(/truncated/);
    expect(refuse(bytes.subarray(0, 30))).toMatch(/truncated|manifest/);
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 50]! ^= 0xff;
    expect(refuse(tampered)).toMatch(/changed since it was exported/);
    const newer = Buffer.concat([Buffer.from('FIREBREAK-INCIDENT 9'), bytes.subarray(bytes.indexOf(0x0a))]);
    expect(refuse(newer)).toMatch(/newer Firebreak/);
    expect(refuse(crypto.randomBytes(4096))).toMatch(/not a Firebreak incident file/);
    expect(refuse(Buffer.from('{"kind":"Config"}\n'))).toMatch(/not a Firebreak incident file/);
    expect(refuse(Buffer.alloc(0))).toMatch(/not a Firebreak incident file/);
  });

  it('round-trips: export of an opened file opens to the same war room; it never touches another store', () => {
    const own = openStore(':memory:');
    const before = own.incidents.sizeBytes();
    const o = loadIncident(bytes, 'sample.fbi');
    const re = exportIncident(o.store, SAMPLE_ID, Date.parse('2026-10-14T18:00:00Z'));
    const o2 = loadIncident(re.bytes, re.fileName);
    const at = Date.parse('2026-10-14T17:22:00Z');
    const a = warRoom(o.store, o.record, 'file', at, false);
    const b = warRoom(o2.store, o2.record, 'file', at, false);
    expect(b.tiles).toEqual(a.tiles);
    expect(b.incident.milestones).toEqual(a.incident.milestones);
    expect(own.incidents.listIncidents()).toEqual([]);
    expect(own.incidents.sizeBytes()).toBe(before);
    expect(re.bytes.toString('latin1')).not.toMatch(/HF_TOKEN=|password|Bearer /);
  });
});
