/**
 * What every local stand-in of a service shares: an HTTP server on loopback answering in the service's own format.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

/** One answer of a stand-in, as sent: status, body, headers. */
export interface RawAnswer {
  readonly status: number;
  readonly body: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** An HTTP server on a free 127.0.0.1 port, for whatever a rehearsal serves itself. */
export class LoopbackServer {
  private readonly server: http.Server;

  constructor(listener: http.RequestListener) {
    this.server = http.createServer(listener);
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  close(): void {
    this.server.close();
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** A service played locally for a rehearsal. Each stand-in says how it answers a request; this is only the serving. */
export abstract class LocalStandIn extends LoopbackServer {
  constructor() {
    super((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const send = (answer: RawAnswer) => {
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
          res.end(answer.body);
        };
        this.respond(req, Buffer.concat(chunks)).then(send, (error) => send({
          status: 500, headers: { 'content-type': 'text/plain' }, body: `The rehearsal's stand-in failed: ${(error as Error).message}`,
        }));
      });
    });
  }

  protected abstract respond(req: http.IncomingMessage, body: Buffer): Promise<RawAnswer>;
}

/** One answer of a JSON stand-in: an HTTP status, a JSON body, and headers such as an error type. */
export interface StandInAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Record<string, string>;
}

/** A stand-in for a service that speaks JSON. */
export abstract class JsonStandIn extends LocalStandIn {
  protected async respond(req: http.IncomingMessage, body: Buffer): Promise<RawAnswer> {
    const answer = this.answer(req, body.toString('utf8'));
    return { status: answer.status, body: JSON.stringify(answer.body), headers: { 'content-type': 'application/json', ...answer.headers } };
  }

  protected abstract answer(req: http.IncomingMessage, body: string): StandInAnswer;
}
