import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { NodeNetwork } from './network.ts';

/**
 * The inside half: a process in the node's network namespace, listening on a Unix socket (a
 * file, so the host's processes reach it whatever their network) and connecting each client
 * to the `host:port` named on its first line. Plain JavaScript: it starts in milliseconds.
 */
const INSIDE = `
const net = require('node:net');
const server = net.createServer((client) => {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(10);
    if (end < 0) return;
    client.off('data', onData);
    client.pause();
    const [host, port] = head.subarray(0, end).toString().split(' ');
    if (!host || !(Number(port) > 0 && Number(port) < 65536)) return client.destroy();
    const target = net.connect(Number(port), host, () => {
      if (end + 1 < head.length) target.write(head.subarray(end + 1));
      client.pipe(target).pipe(client);
      client.resume();
    });
    const close = () => { client.destroy(); target.destroy(); };
    target.on('error', close);
    client.on('error', close);
    target.on('close', close);
    client.on('close', close);
  };
  client.on('data', onData);
});
server.listen(process.argv[1], () => process.stdout.write('ready\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

export interface Relay {
  /** A port on host loopback whose connections reach `host:port` inside the namespace. */
  forward(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Lets this process (in the machine's own network) reach addresses inside the node's namespace
 * through host loopback, with no route or interface between the two networks.
 */
export async function startRelay(network: NodeNetwork, dir: string): Promise<Relay> {
  const socket = join(dir, 'relay.sock');
  const [command, args] = network.exec(process.execPath, ['-e', INSIDE, socket]);
  const inside: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    inside.once('error', reject);
    inside.once('exit', (code) => reject(new Error(`the relay exited (code ${code})`)));
    inside.stdout!.once('data', () => resolve());
  });
  inside.removeAllListeners('exit');
  const servers: Server[] = [];
  const open = new Set<Socket>();

  return {
    async forward(host, port) {
      const server = createServer((client) => {
        open.add(client);
        client.once('close', () => open.delete(client));
        client.pause();
        // The header first: the client's own bytes follow it, never overtake it.
        const upstream = connect(socket, () => {
          upstream.write(`${host} ${port}\n`);
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close);
        upstream.on('error', close);
        client.on('close', close);
        upstream.on('close', close);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    async close() {
      for (const client of open) client.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      inside.kill('SIGTERM');
      // The inside half leaves its socket file behind.
      rmSync(socket, { force: true });
    },
  };
}
