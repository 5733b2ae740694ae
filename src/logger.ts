// The one pino logger, made at start and passed down. Redaction covers every place a secret could hide.
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  '*.authorization',
  '*.client_secret',
  '*.clientSecret',
  '*.client_assertion',
  '*["x-identity-header"]',
  '*.identityHeader',
  '*.value',
  '*.password',
  '*.d', '*.p', '*.q', '*.dp', '*.dq', '*.qi', '*.k',
];

export function createLogger(opts: { level: string }): Logger {
  return pino({ level: opts.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'coffer' } });
}
