/**
 * Which AWS Backup recovery point ARNs a restore job accepts, checked at synth.
 */
import { Token } from 'aws-cdk-lib';
import { invalidProp } from './prop-checks';

/**
 * The ARNs AWS Backup gives its recovery points. Most live in a backup vault; for some resource types
 * the recovery point is the snapshot or backup the service itself keeps, under that service's ARN, and
 * EC2 snapshots and images carry no account. Source: the AWS Backup developer guide's table of
 * recovery point ARNs per resource type (access control, "Resources").
 */
const PARTITION = 'arn:aws(?:-[a-z]+)*';
const REGION = '[a-z]+(?:-[a-z]+)+-\\d+';
const ACCOUNT = '\\d{12}';

interface RecoveryPointForm {
  readonly pattern: RegExp;
  /** What the form looks like, for the error message. */
  readonly shape: string;
  /** The resource types such a recovery point restores as; undefined where the ARN does not tell. */
  readonly resourceTypes?: readonly string[];
}

const FORMS: readonly RecoveryPointForm[] = [
  {
    // Vault recovery points: EFS, DynamoDB with advanced backup, S3, VMs, Timestream, continuous backups, and more.
    pattern: new RegExp(`^${PARTITION}:backup:${REGION}:${ACCOUNT}:recovery-point:[A-Za-z0-9._:/-]+$`),
    shape: 'arn:aws:backup:<region>:<account>:recovery-point:<id>',
  },
  {
    pattern: new RegExp(`^${PARTITION}:ec2:${REGION}::snapshot/snap-[0-9a-f]+$`),
    shape: 'arn:aws:ec2:<region>::snapshot/snap-<id> (EBS, Storage Gateway)',
    resourceTypes: ['EBS', 'Storage Gateway'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:ec2:${REGION}::image/ami-[0-9a-f]+$`),
    shape: 'arn:aws:ec2:<region>::image/ami-<id> (EC2)',
    resourceTypes: ['EC2'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:rds:${REGION}:${ACCOUNT}:snapshot:[A-Za-z0-9:-]+$`),
    shape: 'arn:aws:rds:<region>:<account>:snapshot:<name> (RDS)',
    resourceTypes: ['RDS'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:rds:${REGION}:${ACCOUNT}:cluster-snapshot:[A-Za-z0-9:-]+$`),
    shape: 'arn:aws:rds:<region>:<account>:cluster-snapshot:<name> (Aurora, DocumentDB, Neptune)',
    resourceTypes: ['Aurora', 'DocumentDB', 'Neptune'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/[A-Za-z0-9._-]+/backup/[A-Za-z0-9-]+$`),
    shape: 'arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id> (DynamoDB)',
    resourceTypes: ['DynamoDB'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:fsx:${REGION}:${ACCOUNT}:backup/backup-[0-9a-f]+$`),
    shape: 'arn:aws:fsx:<region>:<account>:backup/backup-<id> (FSx)',
    resourceTypes: ['FSx'],
  },
  {
    pattern: new RegExp(`^${PARTITION}:redshift:${REGION}:${ACCOUNT}:snapshot:[a-z0-9-]+/[A-Za-z0-9:._-]+$`),
    shape: 'arn:aws:redshift:<region>:<account>:snapshot:<cluster>/<name> (Redshift)',
    resourceTypes: ['Redshift'],
  },
  {
    // Redshift Serverless: the guide's form; the resource type's name is not documented beside it.
    pattern: new RegExp(`^${PARTITION}:redshift-serverless:${REGION}:${ACCOUNT}:snapshot[:/][A-Za-z0-9:/._-]+$`),
    shape: 'arn:aws:redshift-serverless:<region>:<account>:snapshot/<name>',
  },
];

/**
 * Refuses what is not the ARN of a recovery point, and a resource type that the ARN contradicts
 * (an AMI restored as EFS). Tokens pass.
 */
export function validateRecoveryPoint(arn: string, resourceType: string): void {
  if (Token.isUnresolved(arn)) return;
  const form = FORMS.find((f) => f.pattern.test(arn));
  if (!form) {
    invalidProp('recoveryPointArn', arn, `it is not the ARN of an AWS Backup recovery point; use one of the forms AWS Backup gives: ${FORMS.map((f) => f.shape).join('; ')}`);
  }
  if (form.resourceTypes && !Token.isUnresolved(resourceType) && !form.resourceTypes.includes(resourceType)) {
    invalidProp('resourceType', resourceType,
      `the recovery point ${arn} has the form ${form.shape}, so it restores as ${form.resourceTypes.join(' or ')}; use that resource type`);
  }
}
