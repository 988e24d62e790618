import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyToGateway } from '../src/server/gateway-proxy.ts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function get(port: number, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/trpc/health', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway proxy', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise((done) => s.close(done).closeAllConnections())),
    );
  });

  it('tells the gateway the socket address, whatever the browser claims to be', async () => {
    let seen: IncomingHttpHeaders | undefined;
    const gateway = createServer((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    servers.push(gateway);
    const gatewayUrl = new URL(`http://127.0.0.1:${await listen(gateway)}`);
    let clientAddress: string | undefined;
    const dashboard = createServer((req, res) => {
      clientAddress = req.socket.remoteAddress;
      proxyToGateway(gatewayUrl, req, res);
    });
    servers.push(dashboard);
    const dashboardPort = await listen(dashboard);

    const body = await get(dashboardPort, {
      'x-forwarded-for': '203.0.113.7',
      forwarded: 'for=203.0.113.7',
      'x-real-ip': '203.0.113.7',
      'x-request-id': 'kept',
    });

    expect(body).toBe('ok');
    expect(clientAddress).toBeTruthy();
    expect(seen?.['x-forwarded-for']).toBe(clientAddress);
    expect(seen?.forwarded).toBeUndefined();
    expect(seen?.['x-real-ip']).toBeUndefined();
    expect(seen?.['x-request-id']).toBe('kept');
  });
});
