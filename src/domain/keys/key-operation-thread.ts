// A worker thread of the key-operation pool: runs performKeyOperation on material the event loop hands over.
// Deserialized material is kept per key version (versions never change their material), so an RSA key is not
// parsed again for every signature. Errors go back as data; a CofferError keeps its status and code.
import { parentPort } from 'node:worker_threads';
import { CofferError } from '../../errors.js';
import { deserializeMaterial } from './jwk.js';
import type { KeyMaterial } from './key-material.js';
import { performKeyOperation, type KeyOperationOutcome, type KeyOperationRequest } from './key-operations.js';

export interface ThreadRequest {
  id: number;
  /** Identifies a key version's material for the cache (vault id and version id). */
  cacheKey: string;
  material: Uint8Array;
  request: KeyOperationRequest;
}

export type ThreadReply =
  | { id: number; outcome: KeyOperationOutcome }
  | { id: number; error: { status: number; code: string; message: string; innerCode: string | undefined } | { internal: true } };

const MAX_CACHED = 1024;
const cache = new Map<string, KeyMaterial>();

function materialFor(cacheKey: string, bytes: Uint8Array): KeyMaterial {
  let material = cache.get(cacheKey);
  if (!material) {
    material = deserializeMaterial(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, material);
  }
  return material;
}

/** Structured clone turns Buffers into Uint8Arrays; the operations want Buffers back. */
function buffers<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) out[name] = member instanceof Uint8Array ? Buffer.from(member.buffer, member.byteOffset, member.byteLength) : member;
  return out as T;
}

parentPort?.on('message', (message: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    reply = { id: message.id, outcome: performKeyOperation(materialFor(message.cacheKey, message.material), buffers(message.request)) };
  } catch (error) {
    reply =
      error instanceof CofferError
        ? { id: message.id, error: { status: error.status, code: error.code, message: error.message, innerCode: error.innerCode } }
        : { id: message.id, error: { internal: true } };
  }
  parentPort?.postMessage(reply);
});
