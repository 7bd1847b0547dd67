// The few protobuf request bodies kubectl sends (its typed clients write application/vnd.kubernetes.protobuf):
// SelfSubjectAccessReview (`kubectl auth can-i`) and ConfigMap (`kubectl create configmap`). Everything
// else in protobuf is answered 415 by the server.
import type { Obj } from './types';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Field = number | Buffer;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
}

function decode(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let v: Field;
    if (wire === 0) [v, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      let n: number;
      [n, pos] = readVarint(buf, pos);
      v = buf.subarray(pos, pos + n);
      pos += n;
    } else if (wire === 1) {
      v = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      v = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    let list = out.get(field);
    if (!list) out.set(field, (list = []));
    list.push(v);
  }
  return out;
}

const str = (m: Map<number, Field[]>, f: number): string | undefined => {
  const v = m.get(f)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (m: Map<number, Field[]>, f: number): Map<number, Field[]> | undefined => {
  const v = m.get(f)?.[0];
  return Buffer.isBuffer(v) ? decode(v) : undefined;
};
const stringMap = (m: Map<number, Field[]>, f: number): Record<string, string> | undefined => {
  const entries = m.get(f);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (!Buffer.isBuffer(e)) continue;
    const kv = decode(e);
    out[str(kv, 1) ?? ''] = str(kv, 2) ?? '';
  }
  return out;
};

function objectMeta(m: Map<number, Field[]> | undefined): Obj {
  const meta: Obj = {};
  if (!m) return meta;
  const set = (k: string, v: unknown): void => {
    if (v !== undefined && v !== '') meta[k] = v;
  };
  set('name', str(m, 1));
  set('generateName', str(m, 2));
  set('namespace', str(m, 3));
  set('labels', stringMap(m, 11));
  set('annotations', stringMap(m, 12));
  return meta;
}

function withoutEmpty(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === '') delete o[k];
  return o;
}

export function isProtobuf(contentType: string | undefined): boolean {
  return !!contentType && contentType.split(';')[0]!.trim() === 'application/vnd.kubernetes.protobuf';
}

/** decode a k8s protobuf envelope into the JSON form of the object; undefined for kinds not handled here */
export function decodeProtobufObject(body: Buffer): Obj | undefined {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new Error('missing the k8s protobuf magic prefix');
  const unknown = decode(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(raw)) throw new Error('protobuf envelope without raw bytes');
  const m = decode(raw);
  if (apiVersion === 'authorization.k8s.io/v1' && kind === 'SelfSubjectAccessReview') {
    const spec = msg(m, 2);
    const out: Obj = { apiVersion, kind, metadata: objectMeta(msg(m, 1)), spec: {} };
    const ra = spec ? msg(spec, 1) : undefined;
    const nra = spec ? msg(spec, 2) : undefined;
    if (ra) {
      out.spec.resourceAttributes = withoutEmpty({
        namespace: str(ra, 1),
        verb: str(ra, 2),
        group: str(ra, 3),
        version: str(ra, 4),
        resource: str(ra, 5),
        subresource: str(ra, 6),
        name: str(ra, 7),
      });
    }
    if (nra) out.spec.nonResourceAttributes = withoutEmpty({ path: str(nra, 1), verb: str(nra, 2) });
    return out;
  }
  if (apiVersion === 'v1' && kind === 'ConfigMap') {
    const out: Obj = { apiVersion, kind, metadata: objectMeta(msg(m, 1)) };
    const data = stringMap(m, 2);
    if (data) out.data = data;
    const bin = m.get(3);
    if (bin) {
      out.binaryData = {};
      for (const e of bin) {
        if (!Buffer.isBuffer(e)) continue;
        const kv = decode(e);
        const v = kv.get(2)?.[0];
        out.binaryData[str(kv, 1) ?? ''] = Buffer.isBuffer(v) ? v.toString('base64') : '';
      }
    }
    const imm = m.get(4)?.[0];
    if (typeof imm === 'number') out.immutable = imm !== 0;
    return out;
  }
  return undefined;
}
