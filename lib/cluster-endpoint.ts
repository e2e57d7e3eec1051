/** Hostname and port of a cluster endpoint. */
export interface ClusterEndpoint {
  /** DNS name of the endpoint. */
  readonly hostname: string;
  /** Port of the endpoint. */
  readonly port: number;
  /** `hostname:port`, as one string. */
  readonly socketAddress: string;
}
