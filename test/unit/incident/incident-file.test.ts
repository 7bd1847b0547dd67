import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildSample, SAMPLE_ID } from '../../../scripts/sample';
import {
  exportIncident,
  FILE_FORMAT_VERSION,
  loadIncident,
  readFile,
} from '../../../main/incident/incidentFile';
import { warRoom } from '../../../main/incident/incidents';
import { encodeMembers, openStore } from '../../../main/store';
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

/** The JSON part of a format 2 file, as far as these tests read it. */
interface FileJson {
  packs: Array<{ bytes: number; rawBytes: number }>;
  objects: { hashes: string; pack: number[]; offset: number[] };
  captures: Array<{ members: string | null; count: number }>;
}

/** The file's parts: manifest, the JSON part (format 2), the packs' bytes. */
function parts(b: Buffer) {
  const nl1 = b.indexOf(0x0a);
  const nl2 = b.indexOf(0x0a, nl1 + 1);
  const manifest = JSON.parse(b.subarray(nl1 + 1, nl2).toString()) as Record<string, unknown>;
  const body = b.subarray(nl2 + 1);
  const indexBytes = manifest.indexBytes as number;
  const json = JSON.parse(zlib.gunzipSync(body.subarray(0, indexBytes)).toString()) as FileJson;
  return { manifest, json, packs: body.subarray(indexBytes) };
}

/** A file put together as an exporter would (a consistent hash), from edited parts. */
function assemble(manifest: Record<string, unknown>, json: unknown, packs: Buffer, version = 2): Buffer {
  const index = zlib.gzipSync(Buffer.from(JSON.stringify(json)));
  const body = version === 1 ? index : Buffer.concat([index, packs]);
  const m = {
    ...manifest,
    version,
    payloadBytes: body.length,
    sha256: crypto.hash('sha256', body, 'hex'),
    ...(version === 1 ? { indexBytes: undefined } : { indexBytes: index.length }),
  };
  return Buffer.concat([Buffer.from(`FIREBREAK-INCIDENT ${version}\n${JSON.stringify(m)}\n`), body]);
}

describe("incident file format 2: the store's packs as they are", () => {
  const faulty = (b: Buffer) => {
    try {
      loadIncident(b, 'x.fbi').store.close();
    } catch (err) {
      return (err as Error).message;
    }
    return 'opened';
  };

  it('is written as format 2, its objects once, and opens to the same objects in every capture', () => {
    expect(FILE_FORMAT_VERSION).toBe(2);
    expect(bytes.subarray(0, 21).toString()).toBe('FIREBREAK-INCIDENT 2\n');
    const { json, packs } = parts(bytes);
    expect(json.packs.length).toBeGreaterThan(0);
    expect(json.packs.reduce((n, p) => n + p.bytes, 0)).toBe(packs.length);
    const o = loadIncident(bytes, 'sample.fbi');
    const caps = o.store.incidents.captures(0, Date.now()).filter((c) => c.snapshotId !== null);
    expect(caps.length).toBe(json.captures.filter((c) => c.members).length);
    const hashes = new Set<string>();
    for (const c of caps) for (const h of o.store.snapshots.get(c.snapshotId!)!.hashes) hashes.add(h);
    expect(hashes.size).toBe(json.objects.pack.length); // content-addressed: each object once
    for (const h of hashes) expect(o.store.objects.get(h)).toBeDefined();
    o.store.close();
  });

  it('still opens a format 1 file (every object as JSON) to the same war room', () => {
    const o = loadIncident(bytes, 'sample.fbi');
    const { manifest, json } = parts(bytes);
    const objects: unknown[] = [];
    const index = new Map<string, number>();
    const captures = o.store.incidents.captures(0, Date.now()).map((c) => {
      const hashes = c.snapshotId === null ? null : o.store.snapshots.get(c.snapshotId)!.hashes;
      const members =
        hashes?.map((h) => {
          if (!index.has(h)) index.set(h, objects.push(o.store.objects.get(h)) - 1);
          return index.get(h)!;
        }) ?? null;
      return {
        atMs: c.atMs,
        mode: c.mode,
        context: c.context,
        durationMs: c.durationMs,
        note: c.note,
        members,
      };
    });
    const v1 = { ...json, packs: undefined, objects, captures };
    const old = loadIncident(assemble(manifest, v1, Buffer.alloc(0), 1), 'old.fbi');
    const at = Date.parse('2026-10-14T17:22:00Z');
    expect(warRoom(old.store, old.record, 'file', at, false).tiles).toEqual(
      warRoom(o.store, o.record, 'file', at, false).tiles,
    );
    old.store.close();
    o.store.close();
  });

  it('refuses a member past its objects, an object outside its pack, a repeated object and missing pack bytes', () => {
    const { manifest, json, packs } = parts(bytes);
    const edit = (fn: (j: FileJson) => void, p = packs) => {
      const j = structuredClone(json);
      fn(j);
      return assemble(manifest, j, p);
    };
    expect(faulty(assemble(manifest, json, packs))).toBe('opened');
    const withCapture = json.captures.findIndex((c) => c.members);
    expect(
      faulty(
        edit((j) => {
          j.captures[withCapture]!.count += 1;
        }),
      ),
    ).toMatch(/objects are inconsistent/);
    expect(
      faulty(
        edit((j) => {
          // a member past the objects the file holds
          j.captures[withCapture]!.members = encodeMembers([1, j.objects.pack.length + 1]).toString('base64');
          j.captures[withCapture]!.count = 2;
        }),
      ),
    ).toMatch(/objects are inconsistent/);
    expect(
      faulty(
        edit((j) => {
          j.objects.offset[0] = j.packs[j.objects.pack[0]!]!.rawBytes;
        }),
      ),
    ).toMatch(/objects are inconsistent/);
    expect(
      faulty(
        edit((j) => {
          j.objects.hashes =
            j.objects.hashes.slice(0, 64) + j.objects.hashes.slice(0, 64) + j.objects.hashes.slice(128);
        }),
      ),
    ).toMatch(/objects are inconsistent/);
    expect(faulty(edit(() => {}, packs.subarray(0, packs.length - 1)))).toMatch(/cannot be read/);
  });
});
