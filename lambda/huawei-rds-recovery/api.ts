/**
 * Huawei Cloud RDS v3.1 for the recovery handler: credentials from Secrets Manager, signed requests, and the
 * instance, backup and job calls the restore into an existing instance needs.
 */
import * as http from 'http';
import * as https from 'https';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// The official Huawei Cloud signer (SDK-HMAC-SHA256), not one of our own.
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import type { HuaweiRdsRecoveryProperties } from '../../lib/private/kinds/huawei-rds-recovery';

/** Huawei Cloud credentials, from the secret at run time; never logged, never returned. */
export interface HuaweiCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function readCredentials(secretArn: string): Promise<HuaweiCredentials> {
  const out = await new SecretsManagerClient({ maxAttempts: 6 }).send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: Partial<HuaweiCredentials>;
  try {
    parsed = JSON.parse(out.SecretString ?? '');
  } catch {
    throw new Error(`The credentials secret ${secretArn} is not JSON; it must hold {"accessKeyId": "...", "secretAccessKey": "..."}.`);
  }
  if (!parsed.accessKeyId || !parsed.secretAccessKey) {
    throw new Error(`The credentials secret ${secretArn} must hold both accessKeyId and secretAccessKey.`);
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

/** An error answer of the Huawei Cloud API. */
export class HuaweiApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HuaweiApiError';
  }
}

/**
 * The 409 codes with which RDS refuses an operation while another one runs on the instance (a backup,
 * a resize, another restore). They are the ones the Huawei Cloud Terraform provider waits out on 409.
 */
const INSTANCE_BUSY_CODES = new Set(['DBS.200011', 'DBS.200019', 'DBS.200047', 'DBS.200080', 'DBS.201202', 'DBS.201206', 'DBS.280011', 'DBS.280816']);

/** The instance is busy with another operation: the request was refused, so no job started. */
export function isInstanceBusyError(error: unknown): boolean {
  return error instanceof HuaweiApiError && error.status === 409 && INSTANCE_BUSY_CODES.has(error.code);
}

/**
 * Whether a failed request surely never reached the service's handling, so that sending it again cannot act
 * twice: throttled (429, refused at the gateway), or no connection made (refused, or a name that did not
 * resolve). A 5xx, a reset or a timeout after the request went out leaves its outcome unknown.
 */
export function wasRefusedUnread(error: unknown): boolean {
  if (error instanceof HuaweiApiError) return error.status === 429;
  return /ECONNREFUSED|EAI_AGAIN|ENOTFOUND/i.test((error as Error)?.message ?? '');
}

/** Throttling and the service's own faults: worth another try. */
export function isTransientHuaweiError(error: unknown): boolean {
  if (error instanceof HuaweiApiError) return error.status === 429 || error.status >= 500;
  return wasRefusedUnread(error) || /ECONNRESET|ETIMEDOUT|socket hang up/i.test((error as Error)?.message ?? '');
}

/** Sends one signed request and returns the parsed JSON answer. */
export async function callHuawei(
  props: Pick<HuaweiRdsRecoveryProperties, 'Endpoint'>, credentials: HuaweiCredentials,
  method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: object,
): Promise<any> {
  const endpoint = `${props.Endpoint.replace(/\/$/, '')}${path}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signed = AKSKSigner.sign({
    endpoint, method, headers, queryParams: query, data: body, pathParams: {},
  } as any, { getAk: () => credentials.accessKeyId, getSk: () => credentials.secretAccessKey } as any) as Record<string, string>;
  const search = new URLSearchParams(query).toString();
  const url = new URL(`${endpoint}${search ? `?${search}` : ''}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  // http(s).request rather than fetch: the signature covers the Host header, which fetch will not let us set.
  const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = (url.protocol === 'http:' ? http : https).request(url, { method, headers: signed, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    request.on('timeout', () => request.destroy(new Error('ETIMEDOUT: Huawei Cloud did not answer within 30 seconds')));
    request.on('error', reject);
    request.end(payload);
  });
  let json: any = {};
  try {
    json = response.text ? JSON.parse(response.text) : {};
  } catch {
    json = { error_msg: response.text.slice(0, 200) };
  }
  if (response.status < 200 || response.status >= 300) {
    // Huawei Cloud answers error_code and error_msg, and some of its 409s errCode and externalMessage.
    throw new HuaweiApiError(response.status, String(json.error_code ?? json.errCode ?? json.code ?? response.status),
      String(json.error_msg ?? json.externalMessage ?? json.message ?? `HTTP ${response.status}`));
  }
  return json;
}
