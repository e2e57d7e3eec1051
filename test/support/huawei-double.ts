import * as http from 'http';
import { AddressInfo } from 'net';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { HuaweiRdsStandIn } from '../../rehearse/huawei-stand-in';

/**
 * The Huawei Cloud RDS API, played by a test double: an HTTP server on 127.0.0.1 that checks every
 * request's signature with the official signer (@huaweicloud/huaweicloud-sdk-core), records it, and
 * answers with what the test scripted (a refused signature gets the API's 401). The pre-flight's lookups
 * (instances, parameters, backups, restore times, databases) are answered from `world`, the rehearsal's
 * stand-in model, so that the scripts stay about the restore and its job. Nothing else plays Huawei Cloud
 * locally, and the tests must not reach the real one.
 */
export interface HuaweiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: any;
  readonly signatureValid: boolean;
}

export type HuaweiAnswer = (request: HuaweiRequest) => { status: number; body: object };

/** A 200 with this body. */
export const ok = (body: object): HuaweiAnswer => () => ({ status: 200, body });

export class HuaweiRdsDouble {
  /** Requests received, in order. */
  received: HuaweiRequest[] = [];
  /** Answers to give, in order; without one the double answers 500. */
  answers: HuaweiAnswer[] = [];
  /** Instances and backups the lookups see (the stand-in's model; its server is not started). */
  world = new HuaweiRdsStandIn();
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      const request: HuaweiRequest = {
        method: req.method!,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: body ? JSON.parse(body) : undefined,
        signatureValid: this.signatureValid(req, url, body),
      };
      this.received.push(request);
      const lookup = request.method === 'GET' ? this.world.lookup(url) : undefined;
      const answer = !request.signatureValid
        ? { status: 401, body: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' } }
        : lookup ?? (this.answers.shift() ?? (() => ({ status: 500, body: { error_code: 'TEST.0', error_msg: 'no answer scripted' } })))(request);
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
  });

  constructor(private readonly accessKeyId: string, private readonly secretAccessKey: string) {}

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  close(): void {
    this.server.close();
  }

  reset(): void {
    this.received = [];
    this.answers = [];
    this.world = new HuaweiRdsStandIn();
  }

  /** The requests the pre-flight did not make: the restore's and its job's. */
  get scripted(): HuaweiRequest[] {
    return this.received.filter((r) => r.method !== 'GET' || this.world.lookup(new URL(r.path, 'http://127.0.0.1')) === undefined);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Recomputes the signature of a received request with the official signer. */
  private signatureValid(req: http.IncomingMessage, url: URL, body: string): boolean {
    const request = {
      endpoint: `${this.endpoint}${url.pathname}`,
      method: req.method,
      headers: { 'content-type': req.headers['content-type'], 'X-Sdk-Date': req.headers['x-sdk-date'] },
      queryParams: Object.fromEntries(url.searchParams),
      data: body ? JSON.parse(body) : undefined,
      pathParams: {},
    };
    const credentials = { getAk: () => this.accessKeyId, getSk: () => this.secretAccessKey };
    const expected = (AKSKSigner.sign(request as any, credentials as any) as Record<string, string>).Authorization;
    return req.headers.authorization === expected;
  }
}
