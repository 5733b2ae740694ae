// X.509 serial numbers, for the server's TLS certificates and vault certificates alike.
import { randomBytes } from 'node:crypto';

/** 16 random bytes, positive and without a leading zero byte, as RFC 5280 §4.1.2.2 asks; hex. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}
