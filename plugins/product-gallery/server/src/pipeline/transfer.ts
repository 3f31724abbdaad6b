/**
 * Moving Buffers across the worker boundary. Structured clone turns a Buffer into a plain
 * Uint8Array (and copies it); these helpers collect the ArrayBuffers to transfer instead, and turn
 * Uint8Arrays back into Buffers (zero-copy views) on the receiving side.
 */

// Realm-independent checks: under jest (a vm context) values posted from a worker are created
// in the outer realm, so `instanceof Uint8Array` / `Object.prototype` comparisons would miss them.
export function isUint8Array(v: unknown): v is Uint8Array {
  return Object.prototype.toString.call(v) === '[object Uint8Array]';
}
function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return Object.prototype.toString.call(v) === '[object ArrayBuffer]';
}
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Object.prototype.toString.call(v) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Walk plain objects / arrays and collect the ArrayBuffers of typed arrays, for a transferList.
 *  Views that do not own their whole ArrayBuffer (Node's pooled small Buffers, sharp's external
 *  buffers are fine) are replaced by an owned copy first, so transferring never detaches memory
 *  that something else still uses. Returns the (possibly rewritten) value. */
export function prepareTransfer<T>(value: T, transferList: ArrayBuffer[]): T {
  const seen = new Set<ArrayBuffer>();
  const visit = (v: unknown): unknown => {
    if (isUint8Array(v)) {
      let u8 = v;
      const ab = u8.buffer as ArrayBuffer;
      if (u8.byteOffset !== 0 || u8.byteLength !== ab.byteLength || seen.has(ab) || !isArrayBuffer(ab)) {
        const copy = new Uint8Array(u8.byteLength);
        copy.set(u8);
        u8 = copy;
      }
      seen.add(u8.buffer as ArrayBuffer);
      transferList.push(u8.buffer as ArrayBuffer);
      return u8;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      return out;
    }
    return v;
  };
  return visit(value) as T;
}

/** Turn every Uint8Array in plain objects / arrays back into a Buffer (a view, no copy). */
export function reviveBuffers<T>(value: T): T {
  const visit = (v: unknown): unknown => {
    if (isUint8Array(v)) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (Array.isArray(v)) return v.map(visit);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      return out;
    }
    return v;
  };
  return visit(value) as T;
}
