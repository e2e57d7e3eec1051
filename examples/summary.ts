import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a synthesized cloud assembly and says, for each restore in it, what will be restored from
 * what. It reads only the templates, so it works on any assembly, not just the example's.
 */

interface Template { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> }

function text(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return '';
  return `(${Object.keys(value as object)[0] ?? 'token'} at deploy time)`;
}

function describePointInTime(props: Record<string, any>, instances: number): string {
  const when = props.RestoreToTime ? `as of ${text(props.RestoreToTime)}` : 'at its latest restorable time';
  const removal = { snapshot: 'final snapshot, then delete', destroy: 'delete without a snapshot', retain: 'keep the cluster' }[props.RemovalPolicy as string] ?? text(props.RemovalPolicy);
  return `${text(props.Engine)} cluster "${text(props.DBClusterIdentifier)}" restored from "${text(props.SourceDBClusterIdentifier)}" ${when} `
    + `(${text(props.RestoreType)}), ${instances} instance(s); waits up to ${duration(Number(props.TimeoutSeconds))}; on removal: ${removal}`;
}

function describeHuaweiRecovery(props: Record<string, any>): string {
  const from = props.RestoreType === 'backup'
    ? `backup ${text(props.BackupId)}`
    : `the moment ${new Date(Number(props.RestoreTime)).toISOString()}`;
  return `Huawei Cloud RDS ${text(props.Engine)} instance ${text(props.TargetInstanceId)} (project ${text(props.ProjectId)}, ${text(props.Endpoint)}) `
    + `overwritten from ${from} of instance ${text(props.SourceInstanceId)}; waits up to ${duration(Number(props.TimeoutSeconds))}; `
    + 'on removal: the restored data stays';
}

function describeS3Import(props: Record<string, any>): string {
  const removal = { snapshot: 'final snapshot, then delete', destroy: 'delete without a snapshot', retain: 'keep the cluster' }[props.RemovalPolicy as string]
    ?? text(props.RemovalPolicy);
  return `aurora-mysql cluster "${text(props.DBClusterIdentifier)}" (${text(props.EngineVersion)}) imported from s3://${text(props.S3BucketName)}/${text(props.S3Prefix)} `
    + `(MySQL ${text(props.SourceEngineVersion)}); waits up to ${duration(Number(props.TimeoutSeconds))}; on removal: ${removal}`;
}

function describeElasticCopy(props: Record<string, any>): string {
  const removal = props.RemovalPolicy === 'destroy' ? 'delete the copy' : 'keep the copy';
  return `DocumentDB Elastic snapshot "${text(props.TargetSnapshotName)}" copied from ${text(props.SourceSnapshotArn)}; `
    + `waits up to ${duration(Number(props.TimeoutSeconds))}; on removal: ${removal}`;
}

function describeBackupRestore(props: Record<string, any>): string {
  return `AWS Backup restore job of the ${text(props.ResourceType)} recovery point ${text(props.RecoveryPointArn)}; `
    + `waits up to ${duration(Number(props.TimeoutSeconds))}; on removal: the restored resource stays`;
}

function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

export function describeRestores(assemblyDir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
  const lines: string[] = [];
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template: Template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
    const resources = Object.entries(template.Resources ?? {});
    for (const [logicalId, resource] of resources) {
      if (resource.Type === 'Custom::HuaweiRdsRecovery') lines.push(`${name}/${logicalId}: ${describeHuaweiRecovery(resource.Properties ?? {})}`);
      if (resource.Type === 'Custom::S3ImportedAuroraCluster') lines.push(`${name}/${logicalId}: ${describeS3Import(resource.Properties ?? {})}`);
      if (resource.Type === 'Custom::CopiedElasticSnapshot') lines.push(`${name}/${logicalId}: ${describeElasticCopy(resource.Properties ?? {})}`);
      if (resource.Type === 'Custom::BackupRestoreJob') lines.push(`${name}/${logicalId}: ${describeBackupRestore(resource.Properties ?? {})}`);
      if (resource.Type !== 'Custom::PointInTimeRestoredCluster') continue;
      // Instances name the cluster through the resource that reads its attributes after the wait.
      const readers = resources.filter(([, r]) => r.Properties?.RestoredId?.Ref === logicalId).map(([id]) => id);
      const instances = resources.filter(([, r]) => /DBInstance$/.test(r.Type)
        && readers.some((reader) => JSON.stringify(r.Properties?.DBClusterIdentifier ?? '').includes(`"${reader}"`))).length;
      lines.push(`${name}/${logicalId}: ${describePointInTime(resource.Properties ?? {}, instances)}`);
    }
  }
  return lines;
}
