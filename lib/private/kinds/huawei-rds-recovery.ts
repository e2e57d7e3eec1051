/** The Huawei Cloud RDS v3.1 restore into an existing DB instance, from a backup or a point in time. */
import { RestoreKind } from './kind';
import {
  CommonRestoreProperties, oneOf, readBoolean, readCommonProperties, readFields, readInteger, readOptionalString, readString, readStringMap,
} from '../contracts/common';

export const HUAWEI_ENGINES = ['mysql', 'postgresql', 'sqlserver'] as const;
export type HuaweiEngineName = typeof HUAWEI_ENGINES[number];

/** Properties of the recovery custom resource; the request body's names are Huawei Cloud's. */
export interface HuaweiRdsRecoveryProperties extends CommonRestoreProperties {
  /** API endpoint, such as https://rds.cn-north-4.myhuaweicloud.com. */
  readonly Endpoint: string;
  readonly ProjectId: string;
  /** ARN of the secret holding {"accessKeyId","secretAccessKey"}; read at run time, never logged. */
  readonly CredentialsSecretArn: string;
  readonly Engine: HuaweiEngineName;
  readonly SourceInstanceId: string;
  readonly TargetInstanceId: string;
  readonly RestoreType: 'backup' | 'timestamp';
  readonly BackupId?: string;
  /** Milliseconds since the epoch, UTC. */
  readonly RestoreTime?: number;
  /** SQL Server only: original database name to new names, comma-separated. */
  readonly DatabaseNames?: Record<string, string>;
  /** SQL Server only. */
  readonly RestoreAllDatabases?: boolean;
}

function read(props: Record<string, unknown>): HuaweiRdsRecoveryProperties {
  return {
    ...readCommonProperties(props),
    ...readFields(props, {
      Endpoint: readString,
      ProjectId: readString,
      CredentialsSecretArn: readString,
      Engine: oneOf(HUAWEI_ENGINES),
      SourceInstanceId: readString,
      TargetInstanceId: readString,
      RestoreType: oneOf(['backup', 'timestamp'] as const),
      BackupId: readOptionalString,
      RestoreTime: readInteger,
      DatabaseNames: readStringMap,
      RestoreAllDatabases: readBoolean,
    }),
  };
}

export const HUAWEI_RDS_RECOVERY: RestoreKind<HuaweiRdsRecoveryProperties, 'JobId'> = {
  name: 'huawei-rds-recovery',
  resourceType: 'Custom::HuaweiRdsRecovery',
  read,
  // The credentials may change without a restore.
  inPlace: ['CredentialsSecretArn'],
  attributes: ['JobId'],
  restoresOnUpdate: false,
};
