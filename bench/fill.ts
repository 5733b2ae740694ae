// Fills a vault over HTTPS with the benchmark's secrets bench-0000001…, 32 requests in flight.
import https from 'node:https';
import { SECRET_VALUE, secretName } from './scenarios.js';
import { pool, request } from './servers.js';

/** PUTs secrets 1…count; returns the version each PUT created (versions[i - 1] for secret i). */
export async function fillOverHttp(port: number, ca: string, token: string, count: number): Promise<string[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const body = JSON.stringify({ value: SECRET_VALUE });
  const versions: string[] = new Array<string>(count);
  try {
    await pool(count, 32, async (i) => {
      const res = await request(port, 'PUT', `/secrets/${secretName(i + 1)}?api-version=7.5`, { ca, agent, token, body });
      if (res.status !== 200) throw new Error(`filling: PUT ${secretName(i + 1)} answered ${res.status}: ${res.body}`);
      const id = (JSON.parse(res.body) as { id?: string }).id ?? '';
      versions[i] = id.slice(id.lastIndexOf('/') + 1);
    });
  } finally {
    agent.destroy();
  }
  return versions;
}
