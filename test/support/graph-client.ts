// The official Microsoft Graph client (@microsoft/microsoft-graph-client 3.0.7) pointed at a test server. The client
// builds every request (URL, OData options, headers, JSON body), adds the token through its own AuthenticationHandler
// and TokenCredentialAuthenticationProvider (scope https://graph.microsoft.com/.default), and parses answers and
// errors (GraphError). Only its last middleware, which hands the request to the global fetch, is replaced: Node's fetch
// takes no CA or agent option, and NODE_EXTRA_CA_CERTS is read only at process start, so the request goes out over
// node:https with the test server's agent (its CA) instead. `customHosts` makes the client add tokens for localhost.
import https from 'node:https';
import type { TokenCredential } from '@azure/identity';
import { AuthenticationHandler, Client, RetryHandler, RetryHandlerOptions, TelemetryHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** The client's final middleware, sending over node:https with a given agent where HTTPMessageHandler would call fetch(). */
class HttpsMessageHandler implements Middleware {
  constructor(private readonly agent: https.Agent) {}

  async execute(context: Context): Promise<void> {
    const request = context.request as string | Request;
    const url = typeof request === 'string' ? request : request.url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => (headers[name] = value));
    const body = options.body === undefined || options.body === null ? undefined : Buffer.from(options.body as string);
    if (body !== undefined) headers['content-length'] = String(body.length);
    context.response = await new Promise<Response>((resolve, reject) => {
      const outgoing = https.request(url, { method: options.method ?? 'GET', headers, agent: this.agent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = incoming.statusCode ?? 0;
          const content = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(content, { status, headers: responseHeaders }));
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  setNext(): void {
    // The last middleware: nothing follows it.
  }
}

/** A Graph client for `https://localhost:PORT/` that trusts the server through `agent` and authenticates with `credential`. */
export function graphClient(opts: { port: number; agent: https.Agent; credential: TokenCredential }): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(opts.credential, { scopes: [GRAPH_SCOPE] });
  const authentication = new AuthenticationHandler(authProvider);
  // No retries: a test must see the first answer.
  const retry = new RetryHandler(new RetryHandlerOptions(0, 0));
  const telemetry = new TelemetryHandler();
  const transport = new HttpsMessageHandler(opts.agent);
  authentication.setNext(retry);
  retry.setNext(telemetry);
  telemetry.setNext(transport);
  return Client.initWithMiddleware({
    middleware: authentication,
    baseUrl: `https://localhost:${opts.port}/`,
    customHosts: new Set(['localhost']),
  });
}
