/**
 * Validates JSON answers against Replicate's OpenAPI schema (../shared/replicate/openapi.json,
 * OpenAPI 3.1) with ajv's 2020-12 dialect. The schema's `/models` `query` method is stripped (not a
 * valid OpenAPI method); OpenAPI 3.0-style `nullable: true` (which the file still uses) becomes
 * `type: [<type>, "null"]`; `$ref`s resolve inside the document.
 * ajv / ajv-formats are present transitively; they need declaring as devDependencies.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const OPENAPI_PATH = resolve(__dirname, '../../../../shared/replicate/openapi.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function convertNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node && typeof node === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) out[k] = convertNullable(v);
    if (out.nullable === true) {
      delete out.nullable;
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.nullable === false) delete out.nullable;
    return out;
  }
  return node;
}

export function loadOpenApi(path = OPENAPI_PATH): Record<string, any> {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  // `query` is not an OpenAPI 3.1 operation; strict tools reject the document with it.
  for (const item of Object.values(doc.paths ?? {}) as Array<Record<string, unknown>>) delete item.query;
  const out = convertNullable(doc as Json) as Record<string, any>;
  // Schema defect: prediction `version` is `oneOf: [{type: string}, {type: string, enum: ['hidden']}]`.
  // "hidden" (what official models return) matches both branches, so oneOf can never accept it.
  // The intent is clearly "any string, including hidden": validate it as anyOf.
  const version = out.components?.schemas?.schemas_prediction_response?.properties?.version;
  if (version?.oneOf) {
    version.anyOf = version.oneOf;
    delete version.oneOf;
  }
  return out;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** operationId -> [path, method] */
function operationIndex(doc: Record<string, any>): Map<string, { path: string; method: string }> {
  const idx = new Map<string, { path: string; method: string }>();
  for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && typeof op === 'object' && typeof op.operationId === 'string') idx.set(op.operationId, { path: p, method });
    }
  }
  return idx;
}

export interface ResponseValidator {
  /** Errors (empty when valid). `undefined` when the schema defines no body for that status. */
  validate(operationId: string, status: number, body: unknown, contentType?: string): string[] | undefined;
  schemaFor(operationId: string, status: number): unknown;
  doc: Record<string, any>;
}

export function createResponseValidator(path = OPENAPI_PATH): ResponseValidator {
  const doc = loadOpenApi(path);
  // strictSchema is off because the document carries OpenAPI keywords (`example`, `x-*`) that are
  // not JSON Schema; everything else is strict.
  const ajv = new Ajv2020({ strict: false, strictTypes: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(doc, 'openapi.json');
  const ops = operationIndex(doc);
  const cache = new Map<string, ValidateFunction | null>();

  function lookup(operationId: string, status: number, contentType?: string): { fn: ValidateFunction; pointer: string } | null {
    const op = ops.get(operationId);
    if (!op) throw new Error(`Unknown operationId ${operationId}`);
    const responses = doc.paths[op.path][op.method].responses as Record<string, any>;
    const r = responses[String(status)];
    if (!r?.content) return null;
    const ct = contentType && r.content[contentType] ? contentType : Object.keys(r.content)[0]!;
    const pointer = `openapi.json#/paths/${escape(op.path)}/${op.method}/responses/${status}/content/${escape(ct)}/schema`;
    let fn = cache.get(pointer);
    if (fn === undefined) {
      fn = ajv.compile({ $ref: pointer });
      cache.set(pointer, fn);
    }
    return fn ? { fn, pointer } : null;
  }

  return {
    doc,
    schemaFor(operationId, status) {
      const op = ops.get(operationId);
      return op ? doc.paths[op.path][op.method].responses[String(status)] : undefined;
    },
    validate(operationId, status, body, contentType) {
      const l = lookup(operationId, status, contentType);
      if (!l) return undefined;
      if (l.fn(body)) return [];
      return (l.fn.errors ?? []).map((e) => `${operationId} ${status} ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
}
