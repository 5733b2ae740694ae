// Any error → the Azure Key Vault error shape {"error":{"code","message","innererror"}}. Fastify's own errors
// (bad JSON, wrong content type, body too large, schema validation) become BadParameter; anything unexpected
// becomes a 500 that carries only the request id — never a stack trace or an internal message.
import { CofferError, errors } from '../errors.js';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  validation?: unknown;
  validationContext?: string;
  message?: string;
}

export function toCofferError(error: unknown, requestId: string, bodyLimit: number): CofferError {
  if (error instanceof CofferError) return error;
  const candidate = error as FastifyLikeError;
  if (candidate?.validation !== undefined) {
    return errors.badParameter(`The request is invalid: ${candidate.message ?? 'schema validation failed'}.`);
  }
  switch (candidate?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CofferError(415, 'BadParameter', 'The request content type is not supported; send application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badParameter('The request body is empty; a JSON object is required.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badParameter('The request body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
      return errors.badParameter('The request URL is not valid: a path segment is not correctly percent-encoded.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new CofferError(414, 'BadParameter', 'A path segment of the request URL is too long.');
  }
  if (error instanceof SyntaxError || (candidate?.statusCode === 400 && typeof candidate.message === 'string')) {
    return errors.badParameter('The request body is not valid JSON.');
  }
  if (typeof candidate?.statusCode === 'number' && candidate.statusCode >= 400 && candidate.statusCode < 500) {
    return new CofferError(candidate.statusCode, 'BadParameter', 'The request is not valid.');
  }
  return errors.internal(requestId);
}

export function errorBody(error: CofferError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.target === undefined ? {} : { target: error.target }),
      ...(error.innerCode === undefined ? {} : { innererror: { code: error.innerCode } }),
    },
  };
}
