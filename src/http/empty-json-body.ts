// Some clients send `content-type: application/json` with no body (the SDKs on GET and DELETE, ARM clients on
// POST …/purge). An empty body is "no body": routes that need one still refuse it through their schema or
// handler, the others never notice. Registered per encapsulated scope.
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
}
