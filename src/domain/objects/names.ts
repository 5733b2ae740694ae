// Azure's rules for object names and versions, shared by secrets, keys and certificates.
import { randomBytes } from 'node:crypto';
import { errors } from '../../errors.js';

/** 1–127 characters of letters, digits and hyphens; compared case-insensitively. */
export function isValidObjectName(name: string): boolean {
  return /^[0-9a-zA-Z-]{1,127}$/.test(name);
}

/** Versions are 32 lowercase hex characters, as Azure generates them. */
export function isValidVersion(version: string): boolean {
  return /^[0-9a-f]{32}$/i.test(version);
}

/** `kind` names the object in the message: 'secret', 'key' or 'certificate'. */
export function assertObjectName(kind: string, name: string): void {
  if (!isValidObjectName(name)) {
    throw errors.badParameter(`The ${kind} name '${name}' is invalid. A name must be 1-127 characters of letters, digits and hyphens.`);
  }
}

export function assertObjectVersion(kind: string, version: string): void {
  if (!isValidVersion(version)) {
    throw errors.badParameter(`The ${kind} version '${version}' is invalid. A version is 32 hexadecimal characters.`);
  }
}

export function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

/** The key used for uniqueness and ordering: Azure treats names case-insensitively. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
