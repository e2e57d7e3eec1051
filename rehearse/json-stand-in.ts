import * as http from 'http';
import { AddressInfo } from 'net';

/** One answer of a stand-in: an HTTP status, a JSON body, and headers such as an error type. */
export interface StandInAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Record<string, string>;
}

/**
 * A service played locally for a rehearsal: an HTTP server on a free 127.0.0.1 port that answers JSON.
 * Each stand-in says how it answers a request; this is only the serving.
 */
export abstract class JsonStandIn {
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const answer = this.answer(req, body);
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json');
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      res.end(JSON.stringify(answer.body));
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  close(): void {
    this.server.close();
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  protected abstract answer(req: http.IncomingMessage, body: string): StandInAnswer;
}
