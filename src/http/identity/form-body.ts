// The token endpoint takes application/x-www-form-urlencoded bodies (RFC 6749), which Fastify does not parse itself.
import type { FastifyInstance } from 'fastify';

export const TOKEN_BODY_LIMIT = 64 * 1024;

export function registerFormParser(app: FastifyInstance): void {
  // Only forms: Fastify's default JSON and text parsers would let a JSON body through as if it were the form.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
