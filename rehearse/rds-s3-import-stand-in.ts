/**
 * The RDS API for a rehearsal, of every kind's clusters: moto_server serves it, except RestoreDBClusterFromS3,
 * DescribeDBEngineVersions, EnableHttpEndpoint and DisableHttpEndpoint, which it answers with an HTML error page.
 * Those are played here; every other call is passed to moto, so the imported cluster lives in moto with the rest.
 * The Data API's state is kept here and shown in moto's DescribeDBClusters answers (moto shows every cluster's off).
 *
 * RestoreDBClusterFromS3 checks what the service would and the emulator can see (the bucket holds objects
 * under the prefix), then has moto create the cluster with the request's own settings (CreateDBCluster
 * takes all of them but the S3 source's), and answers in the API's XML. It does not read the backup, nor
 * evaluate the ingestion role's permissions.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { LocalStandIn, RawAnswer } from './local-stand-in';

/** The members that name the S3 source; the rest of a RestoreDBClusterFromS3 request is a CreateDBCluster. */
const SOURCE_MEMBERS = ['S3BucketName', 'S3Prefix', 'S3IngestionRoleArn', 'SourceEngine', 'SourceEngineVersion'];
const AURORA_MYSQL_VERSION = /^(5\.7\.mysql_aurora\.2|8\.0\.mysql_aurora\.3)\.\d+\.\d+$/;
const NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function queryError(code: string, message: string): RawAnswer {
  return {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error>`
      + `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

export class RdsS3ImportStandIn extends LocalStandIn {
  /** The imports played, by cluster identifier. */
  readonly imports: string[] = [];
  /** The clusters whose Data API is on, by ARN. */
  readonly dataApi = new Set<string>();
  /** @param emulator the moto_server endpoint the other RDS calls go to */
  constructor(private readonly emulator: string) {
    super();
  }

  /**
   * Puts a file under the prefix in the emulator's S3 (the bucket too, when it is missing), unless backup
   * files are there already; says whether it made anything.
   */
  async ensureBackupFiles(bucket: string, prefix: string): Promise<boolean> {
    const listing = await fetch(`${this.emulator}/${encodeURIComponent(bucket)}?list-type=2&max-keys=1&prefix=${encodeURIComponent(prefix)}`);
    const text = await listing.text();
    if (listing.ok && /<Key>/.test(text)) return false;
    if (/<Code>NoSuchBucket<\/Code>/.test(text)) await fetch(`${this.emulator}/${encodeURIComponent(bucket)}`, { method: 'PUT' });
    const key = `${prefix}xtrabackup_info`.split('/').map(encodeURIComponent).join('/');
    const put = await fetch(`${this.emulator}/${encodeURIComponent(bucket)}/${key}`, { method: 'PUT', body: 'tool_name = xtrabackup\n' });
    if (!put.ok) throw new Error(`putting s3://${bucket}/${prefix}xtrabackup_info into the emulator answered ${put.status}`);
    return true;
  }

  protected async respond(req: http.IncomingMessage, body: Buffer): Promise<RawAnswer> {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = req.method === 'POST' ? params.get('Action') : null;
    if (action === 'DescribeDBEngineVersions') return this.engineVersions(params);
    if (action === 'RestoreDBClusterFromS3') return this.restoreFromS3(req, params);
    if (action === 'EnableHttpEndpoint' || action === 'DisableHttpEndpoint') return this.httpEndpoint(req, params, action);
    if (action === 'DescribeDBClusters') return this.showingDataApi(await this.pass(req, body));
    return this.pass(req, body);
  }

  /** Turns a cluster's Data API on or off, when moto has the cluster the ARN names. */
  private async httpEndpoint(req: http.IncomingMessage, params: URLSearchParams, action: 'EnableHttpEndpoint' | 'DisableHttpEndpoint'): Promise<RawAnswer> {
    const arn = params.get('ResourceArn') ?? '';
    const identifier = /:cluster:([^:]+)$/.exec(arn)?.[1] ?? '';
    const lookup = new URLSearchParams({ Action: 'DescribeDBClusters', Version: params.get('Version') ?? '2014-10-31', DBClusterIdentifier: identifier });
    const described = await this.pass(req, Buffer.from(lookup.toString(), 'utf8'));
    if (!identifier || described.status !== 200) return queryError('ResourceNotFoundFault', `The resource ${arn} could not be found.`);
    const on = action === 'EnableHttpEndpoint';
    if (on) this.dataApi.add(arn);
    else this.dataApi.delete(arn);
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<${action}Response xmlns="${NAMESPACE}"><${action}Result><ResourceArn>${escape(arn)}</ResourceArn><HttpEndpointEnabled>${on}</HttpEndpointEnabled>`
        + `</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    };
  }

  /** moto's answer, with the Data API on for the clusters it was turned on for here. */
  private showingDataApi(answer: RawAnswer & { body: Buffer }): RawAnswer {
    if (answer.status !== 200 || this.dataApi.size === 0) return answer;
    const xml = answer.body.toString('utf8').replace(/<DBCluster>[\s\S]*?<\/DBCluster>/g, (cluster) => {
      const arn = /<DBClusterArn>([^<]*)<\/DBClusterArn>/.exec(cluster)?.[1];
      return arn && this.dataApi.has(arn) ? cluster.replace('<HttpEndpointEnabled>false</HttpEndpointEnabled>', '<HttpEndpointEnabled>true</HttpEndpointEnabled>') : cluster;
    });
    return { ...answer, body: xml };
  }

  /** The call as moto answers it. */
  private async pass(req: http.IncomingMessage, body: Buffer): Promise<RawAnswer & { body: Buffer }> {
    const headers = Object.fromEntries(Object.entries(req.headers)
      .filter(([name]) => !['host', 'content-length', 'connection'].includes(name))
      .map(([name, value]) => [name, String(value)]));
    const answer = await fetch(`${this.emulator}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
    return { status: answer.status, body: Buffer.from(await answer.arrayBuffer()), headers: { 'content-type': answer.headers.get('content-type') ?? 'text/xml' } };
  }

  /** Every Aurora MySQL 2 and 3 version is offered; other engines and versions are not. */
  private engineVersions(params: URLSearchParams): RawAnswer {
    const engine = params.get('Engine');
    const version = params.get('EngineVersion');
    const offered = engine === 'aurora-mysql' && version !== null && AURORA_MYSQL_VERSION.test(version);
    const entry = offered
      ? `<DBEngineVersion><Engine>aurora-mysql</Engine><EngineVersion>${escape(version!)}</EngineVersion>`
        + `<DBParameterGroupFamily>aurora-mysql${version!.slice(0, 3)}</DBParameterGroupFamily></DBEngineVersion>`
      : '';
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<DescribeDBEngineVersionsResponse xmlns="${NAMESPACE}"><DescribeDBEngineVersionsResult><DBEngineVersions>${entry}</DBEngineVersions>`
        + `</DescribeDBEngineVersionsResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeDBEngineVersionsResponse>`,
    };
  }

  private async restoreFromS3(req: http.IncomingMessage, params: URLSearchParams): Promise<RawAnswer> {
    const bucket = params.get('S3BucketName') ?? '';
    const prefix = params.get('S3Prefix') ?? '';
    // ListObjectsV2 of moto's S3, path-style (moto routes a request without S3's own signature to S3 too).
    const listing = await fetch(`${this.emulator}/${encodeURIComponent(bucket)}?list-type=2&max-keys=1&prefix=${encodeURIComponent(prefix)}`);
    const text = await listing.text();
    if (/<Code>NoSuchBucket<\/Code>/.test(text)) return queryError('InvalidS3BucketFault', `The S3 bucket ${bucket} cannot be found.`);
    if (!listing.ok) throw new Error(`listing s3://${bucket}/${prefix} in the emulator answered ${listing.status}`);
    if (!/<Key>/.test(text)) {
      return queryError('InvalidS3BucketFault', `The S3 bucket ${bucket} holds no backup files under the prefix "${prefix}".`);
    }
    const create = new URLSearchParams([...params].filter(([name]) => !SOURCE_MEMBERS.includes(name)));
    create.set('Action', 'CreateDBCluster');
    const created = await this.pass(req, Buffer.from(create.toString(), 'utf8'));
    if (created.status !== 200) return created;
    this.imports.push(params.get('DBClusterIdentifier') ?? '');
    const xml = created.body.toString('utf8').replace(/CreateDBClusterResponse/g, 'RestoreDBClusterFromS3Response')
      .replace(/CreateDBClusterResult/g, 'RestoreDBClusterFromS3Result');
    return { status: 200, body: xml, headers: { 'content-type': 'text/xml' } };
  }
}
