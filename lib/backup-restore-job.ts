/**
 * The `BackupRestoreJob` construct: an AWS Backup restore job, waited for until it completes.
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CommonRestoreProperties } from './private/contracts/common';
import { BACKUP_RESTORE_JOB, BackupRestoreJobProperties } from './private/kinds/backup-restore-job';
import { suppressNag } from './private/nag';
import { invalidProp, restoreGeneration } from './private/prop-checks';
import { validateRecoveryPoint } from './private/recovery-point';
import { RestoreConstruct } from './private/restore-construct';
import { RestoreResource } from './private/restore-resource';
import { rethrowOnConstruct } from './private/validation-error';
import { RestoreOptions } from './restore-options';

/** The kind of resource a recovery point restores: the types StartRestoreJob lists, or another by name. */
export class BackupResourceType {
  /** Amazon Aurora. */
  public static readonly AURORA = new BackupResourceType('Aurora');
  /** AWS CloudFormation stacks. */
  public static readonly CLOUDFORMATION = new BackupResourceType('CloudFormation');
  /** Amazon DocumentDB. */
  public static readonly DOCUMENTDB = new BackupResourceType('DocumentDB');
  /** Amazon DynamoDB. */
  public static readonly DYNAMODB = new BackupResourceType('DynamoDB');
  /** Amazon Elastic Block Store. */
  public static readonly EBS = new BackupResourceType('EBS');
  /** Amazon Elastic Compute Cloud. */
  public static readonly EC2 = new BackupResourceType('EC2');
  /** Amazon Elastic File System. */
  public static readonly EFS = new BackupResourceType('EFS');
  /** Amazon Elastic Kubernetes Service. */
  public static readonly EKS = new BackupResourceType('EKS');
  /** Amazon FSx. */
  public static readonly FSX = new BackupResourceType('FSx');
  /** Amazon Neptune. */
  public static readonly NEPTUNE = new BackupResourceType('Neptune');
  /** Amazon Relational Database Service. */
  public static readonly RDS = new BackupResourceType('RDS');
  /** Amazon Redshift. */
  public static readonly REDSHIFT = new BackupResourceType('Redshift');
  /** AWS Storage Gateway (the API names it with a space, which its own pattern does not allow for other names). */
  public static readonly STORAGE_GATEWAY = new BackupResourceType('Storage Gateway');
  /** Amazon S3. */
  public static readonly S3 = new BackupResourceType('S3');
  /** Amazon Timestream. */
  public static readonly TIMESTREAM = new BackupResourceType('Timestream');
  /** Virtual machines. */
  public static readonly VIRTUAL_MACHINE = new BackupResourceType('VirtualMachine');

  /** Another resource type, by the name StartRestoreJob takes: 1 to 50 letters, digits, `-`, `_` or `.`. */
  public static of(name: string): BackupResourceType {
    if (!Token.isUnresolved(name) && !/^[a-zA-Z0-9\-_.]{1,50}$/.test(name)) {
      invalidProp('resourceType', name, 'a resource type is 1 to 50 letters, digits, "-", "_" or "."');
    }
    return new BackupResourceType(name);
  }

  /** The name StartRestoreJob takes. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }
}

/** Restore metadata of an EFS recovery point. */
export interface EfsRestoreMetadataOptions {
  /** ID of the file system that was backed up (from GetRecoveryPointRestoreMetadata). */
  readonly fileSystemId: string;
  /** Restore to a new file system (true) or into the original one (false). */
  readonly newFileSystem: boolean;
  /**
   * Encrypt the restored file system; must be true when `kmsKey` is given.
   * @default - the service's default
   */
  readonly encrypted?: boolean;
  /**
   * KMS key for the restored file system.
   * @default - the service's default key
   */
  readonly kmsKey?: kms.IKey;
  /**
   * Performance mode of a new file system: generalPurpose or maxIO.
   * @default - the backed-up file system's
   */
  readonly performanceMode?: string;
  /**
   * One to five paths to restore instead of the whole file system.
   * @default - the whole file system
   */
  readonly itemsToRestore?: string[];
  /**
   * A token that makes the file system creation idempotent.
   * @default - none
   */
  readonly creationToken?: string;
}

/** Restore metadata of an EBS recovery point. */
export interface EbsRestoreMetadataOptions {
  /** Availability Zone of the restored volume. */
  readonly availabilityZone: string;
  /**
   * Encrypt the volume; must be true when `kmsKey` is given.
   * @default - the snapshot's encryption
   */
  readonly encrypted?: boolean;
  /**
   * KMS key for the volume.
   * @default - the snapshot's key
   */
  readonly kmsKey?: kms.IKey;
  /**
   * Volume type, such as gp3.
   * @default - the snapshot's volume type
   */
  readonly volumeType?: string;
}

/** Restore metadata of an RDS DB instance recovery point. */
export interface RdsRestoreMetadataOptions {
  /** Identifier of the new DB instance. */
  readonly dbInstanceIdentifier: string;
  /**
   * Other RestoreDBInstanceFromDBSnapshot parameters, by their API names.
   * @default - none
   */
  readonly additional?: { [key: string]: string };
}

/** Restore metadata of an Aurora cluster recovery point. */
export interface AuroraRestoreMetadataOptions {
  /** Identifier of the new DB cluster. */
  readonly dbClusterIdentifier: string;
  /** Engine of the cluster, such as aurora-mysql or aurora-postgresql. */
  readonly engine: string;
  /**
   * Other RestoreDBClusterFromSnapshot parameters, by their API names.
   * @default - none
   */
  readonly additional?: { [key: string]: string };
}

/** Restore metadata of a DynamoDB recovery point. */
export interface DynamoDbRestoreMetadataOptions {
  /** Name of the new table. */
  readonly targetTableName: string;
  /**
   * KMS key to encrypt the table with.
   * @default - the default encryption
   */
  readonly kmsKey?: kms.IKey;
}

/** Restore metadata of an S3 recovery point. */
export interface S3RestoreMetadataOptions {
  /** Bucket to restore into. */
  readonly destinationBucketName: string;
  /** Restore into a new bucket (true) or an existing one (false). */
  readonly newBucket: boolean;
  /**
   * Encrypt the restored objects; must be true when `kmsKey` is given.
   * @default - the bucket's default
   */
  readonly encrypted?: boolean;
  /**
   * KMS key for the restored objects (SSE-KMS).
   * @default - SSE-S3
   */
  readonly kmsKey?: kms.IKey;
  /**
   * One to five keys or prefixes to restore instead of the whole bucket.
   * @default - the whole backup
   */
  readonly itemsToRestore?: string[];
}

function checkItems(items: string[] | undefined): void {
  if (items === undefined) return;
  if (items.length < 1 || items.length > 5) invalidProp('itemsToRestore', items, `it has ${items.length} paths; give 1 to 5`);
  for (const item of items) {
    if (!Token.isUnresolved(item) && item.length === 0) invalidProp('itemsToRestore', items, 'a path is empty');
  }
}

function checkEncrypted(encrypted: boolean | undefined, key: kms.IKey | undefined): void {
  if (key && encrypted === false) invalidProp('encrypted', encrypted, 'it must be true when a KMS key is given');
}

function required(prop: string, value: string | undefined): void {
  if (value === undefined || (!Token.isUnresolved(value) && value.trim() === '')) invalidProp(prop, value ?? '', 'it is required for this resource type');
}

/** The restore metadata of a job: what StartRestoreJob needs to know about the restored resource. */
export class RestoreMetadata {
  /** EFS: file-system-id, newFileSystem, Encrypted, KmsKeyId, PerformanceMode, CreationToken, ItemsToRestore. */
  public static efs(options: EfsRestoreMetadataOptions): RestoreMetadata {
    required('fileSystemId', options.fileSystemId);
    checkItems(options.itemsToRestore);
    checkEncrypted(options.encrypted, options.kmsKey);
    return new RestoreMetadata({
      'file-system-id': options.fileSystemId,
      'newFileSystem': String(options.newFileSystem),
      'Encrypted': options.kmsKey ? 'true' : options.encrypted === undefined ? undefined : String(options.encrypted),
      'KmsKeyId': options.kmsKey?.keyArn,
      'PerformanceMode': options.performanceMode,
      'CreationToken': options.creationToken,
      'ItemsToRestore': options.itemsToRestore && JSON.stringify(options.itemsToRestore),
    }, options.kmsKey);
  }

  /** EBS: availabilityZone, encrypted, kmsKeyId, volumeType. */
  public static ebs(options: EbsRestoreMetadataOptions): RestoreMetadata {
    required('availabilityZone', options.availabilityZone);
    checkEncrypted(options.encrypted, options.kmsKey);
    return new RestoreMetadata({
      availabilityZone: options.availabilityZone,
      encrypted: options.kmsKey ? 'true' : options.encrypted === undefined ? undefined : String(options.encrypted),
      kmsKeyId: options.kmsKey?.keyArn,
      volumeType: options.volumeType,
    }, options.kmsKey);
  }

  /** RDS DB instance: DBInstanceIdentifier and any other restore parameter. */
  public static rds(options: RdsRestoreMetadataOptions): RestoreMetadata {
    required('dbInstanceIdentifier', options.dbInstanceIdentifier);
    return new RestoreMetadata({ ...options.additional, DBInstanceIdentifier: options.dbInstanceIdentifier });
  }

  /** Aurora cluster: DBClusterIdentifier, Engine and any other restore parameter. */
  public static aurora(options: AuroraRestoreMetadataOptions): RestoreMetadata {
    required('dbClusterIdentifier', options.dbClusterIdentifier);
    required('engine', options.engine);
    return new RestoreMetadata({ ...options.additional, DBClusterIdentifier: options.dbClusterIdentifier, Engine: options.engine });
  }

  /** DynamoDB: targetTableName, and encryptionType KMS with kmsMasterKeyArn when a key is given. */
  public static dynamoDb(options: DynamoDbRestoreMetadataOptions): RestoreMetadata {
    required('targetTableName', options.targetTableName);
    return new RestoreMetadata({
      targetTableName: options.targetTableName,
      encryptionType: options.kmsKey ? 'KMS' : 'Default',
      kmsMasterKeyArn: options.kmsKey?.keyArn,
    }, options.kmsKey);
  }

  /** S3: DestinationBucketName, NewBucket, Encrypted, EncryptionType, KMSKey, ItemsToRestore. */
  public static s3(options: S3RestoreMetadataOptions): RestoreMetadata {
    required('destinationBucketName', options.destinationBucketName);
    checkItems(options.itemsToRestore);
    checkEncrypted(options.encrypted, options.kmsKey);
    return new RestoreMetadata({
      DestinationBucketName: options.destinationBucketName,
      NewBucket: String(options.newBucket),
      Encrypted: options.kmsKey ? 'true' : options.encrypted === undefined ? undefined : String(options.encrypted),
      EncryptionType: options.kmsKey ? 'SSE-KMS' : undefined,
      KMSKey: options.kmsKey?.keyArn,
      ItemsToRestore: options.itemsToRestore && JSON.stringify(options.itemsToRestore),
    }, options.kmsKey);
  }

  /** Any resource type: the metadata keys and values as StartRestoreJob takes them. */
  public static custom(metadata: { [key: string]: string }): RestoreMetadata {
    if (!Object.keys(metadata).length) invalidProp('metadata', metadata, 'StartRestoreJob needs at least one metadata entry');
    return new RestoreMetadata(metadata);
  }

  /** The metadata as StartRestoreJob takes it. */
  public readonly values: { [key: string]: string };
  /** The KMS key the metadata names, for the restore role's grants. */
  public readonly kmsKey?: kms.IKey;

  private constructor(values: { [key: string]: string | undefined }, kmsKey?: kms.IKey) {
    this.values = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
    this.kmsKey = kmsKey;
  }
}

/** Props of {@link BackupRestoreJob}. */
export interface BackupRestoreJobProps extends RestoreOptions {
  /**
   * ARN of the recovery point to restore, as AWS Backup lists it: a vault's recovery point
   * (`arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-...`), or for EBS, EC2, RDS, Aurora,
   * DocumentDB, Neptune, DynamoDB, FSx and Redshift the snapshot, image or backup itself
   * (`arn:aws:ec2:us-east-1::snapshot/snap-...`).
   */
  readonly recoveryPointArn: string;
  /** The kind of resource the recovery point holds. */
  readonly resourceType: BackupResourceType;
  /** What StartRestoreJob needs to know about the restored resource. */
  readonly metadata: RestoreMetadata;
  /**
   * The role AWS Backup assumes to create the restored resource.
   * @default - a role that trusts backup.amazonaws.com with AWS's managed policy for restores (and for S3 restores)
   */
  readonly role?: iam.IRole;
  /**
   * Copy the backup's tags to the restored resource (backups made by AWS Backup only).
   * @default false
   */
  readonly copySourceTags?: boolean;

  /**
   * The backup vault that holds the recovery point, in this stack's region (`backup.BackupVault.fromBackupVaultArn`
   * for one of another account, whose access policy must then let this stack's handler describe the point). Before
   * the job starts, the handler asks it whether the point exists and is made, holds `resourceType`, and fits the
   * metadata; the point's ARN alone does not tell the vault.
   * @default - the recovery point is not checked before the job starts (a warning says so)
   */
  readonly backupVault?: backup.IBackupVault;
}

/**
 * An AWS Backup restore job (StartRestoreJob) for any supported resource type, waited for until it
 * completes. The restored resource is not managed by the stack: deleting the construct leaves it.
 */
export class BackupRestoreJob extends RestoreConstruct {
  /** ID of the restore job. */
  public readonly restoreJobId: string;
  /** ARN of the resource the job created. */
  public readonly createdResourceArn: string;
  /** The role AWS Backup assumes for the restore. */
  public readonly role: iam.IRole;
  /** @internal */
  protected readonly _restore: RestoreResource;

  /**
   * @param scope the construct to create the job in
   * @param id the construct id, unique within the scope
   * @param props what to restore, and how
   */
  constructor(scope: Construct, id: string, props: BackupRestoreJobProps) {
    try {
      super(scope, id);
      const arn = props.recoveryPointArn;
      validateRecoveryPoint(arn, props.resourceType.name);
      this.role = props.role ?? this.defaultRole(props.resourceType);
      props.metadata.kmsKey?.grant(this.role, 'kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext');

      const vault = props.backupVault;
      const region = Stack.of(this).region;
      if (vault && !Token.isUnresolved(vault.env.region) && !Token.isUnresolved(region) && vault.env.region !== region) {
        invalidProp('backupVault', vault.env.region, `the vault is in ${vault.env.region}, and a restore job restores from a vault of its own region (${region}); `
          + 'copy the recovery point to a vault of this region first');
      }
      const properties: Omit<BackupRestoreJobProperties, keyof CommonRestoreProperties> = {
        RecoveryPointArn: arn,
        ResourceType: props.resourceType.name,
        IamRoleArn: this.role.roleArn,
        CopySourceTagsToRestoredResource: props.copySourceTags,
        Metadata: props.metadata.values,
        ...(vault ? { BackupVaultName: vault.backupVaultName } : {}),
        // Only a vault of another account is named by its account.
        ...(vault && vault.env.account !== Stack.of(this).account ? { BackupVaultAccountId: vault.env.account } : {}),
      };
      if (!vault) {
        Annotations.of(this).addWarningV2('cdk-restore-constructs:backupVault', 'Without backupVault, the recovery point is not checked before the restore '
          + 'job starts (that it exists and is made, holds the resourceType, and fits the metadata): give the vault that holds it.');
      }
      const restore = this._restore = new RestoreResource(this, 'Restore', {
        kind: BACKUP_RESTORE_JOB,
        timeout: props.timeout,
        logRetention: props.logRetention,
        validation: props.validation,
        restorePoint: arn,
        properties: { ...properties, ...restoreGeneration(props.restoreGeneration) },
      });
      restore.addToHandlerPolicy(new iam.PolicyStatement({
        actions: ['backup:StartRestoreJob', ...(vault ? ['backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'] : [])], resources: [arn],
      }));
      restore.addToHandlerPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'], resources: [this.role.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
      }));
      restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['backup:DescribeRestoreJob'], resources: ['*'] }),
        'backup:DescribeRestoreJob has no resource-level permissions; the handler reads the progress of the jobs it started');

      this.restoreJobId = restore.getAttString('RestoreJobId');
      this.createdResourceArn = restore.getAttString('CreatedResourceArn');
    } catch (error) {
      rethrowOnConstruct(scope, id, error);
    }
  }

  private defaultRole(type: BackupResourceType): iam.IRole {
    const policyNames = ['service-role/AWSBackupServiceRolePolicyForRestores', ...(type.name === 'S3' ? ['AWSBackupServiceRolePolicyForS3Restore'] : [])];
    const role = new iam.Role(this, 'RestoreRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: policyNames.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
      description: `AWS Backup restores for ${this.node.path}`,
    });
    suppressNag(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWS Backup documents these managed policies for restores, and AWS keeps them current for every resource type Backup restores; give role for a narrower one',
      appliesTo: policyNames.map((name) => `Policy::arn:<AWS::Partition>:iam::aws:policy/${name}`),
    }]);
    return role;
  }
}
