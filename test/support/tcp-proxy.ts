import { Server, Socket, createConnection, createServer } from 'node:net';
import { AddressInfo } from 'node:net';

/**
 * A TCP forwarder between the app and a real server, for fault injection:
 * `blackhole()` keeps accepting connections but never answers (a hung
 * server), `refuse()` drops and refuses them (a stopped server).
 */
export class TcpProxy {
  private mode: 'forward' | 'blackhole' | 'refuse' = 'forward';
  private readonly sockets = new Set<Socket>();
  private server?: Server;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));

    return (this.server.address() as AddressInfo).port;
  }

  forward(): void {
    this.mode = 'forward';
  }

  blackhole(): void {
    this.mode = 'blackhole';
    this.dropAll();
  }

  refuse(): void {
    this.mode = 'refuse';
    this.dropAll();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.mode === 'refuse') {
      client.destroy();

      return;
    }
    if (this.mode === 'blackhole') {
      return;
    }

    const upstream = createConnection(this.targetPort, this.targetHost);

    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private dropAll(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }
}
