// api-version is mandatory on every data-plane call; we accept what current and recent SDKs send.
import { errors } from '../../errors.js';

export const SUPPORTED_API_VERSIONS = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01'] as const;
const supported = new Set<string>(SUPPORTED_API_VERSIONS);

export function checkApiVersion(value: unknown): string {
  if (value === undefined || value === '') throw errors.missingApiVersion();
  if (typeof value !== 'string' || !supported.has(value)) throw errors.unsupportedApiVersion(String(value), SUPPORTED_API_VERSIONS);
  return value;
}
