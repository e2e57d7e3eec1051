/**
 * Rehearsing a Huawei Cloud RDS recovery: Huawei Cloud is played by its stand-in, to which the restore's
 * endpoint is redirected (the restore's own would reach the real cloud). The stand-in accepts the
 * credentials of the secret the restore names; with `createSources`, the secret, the instances (of the
 * restore's engine, available, restorable since before its time: a pair the pre-flight passes) and the
 * backup are made where missing.
 */
import { randomBytes } from 'crypto';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HUAWEI_RDS_RECOVERY } from '../../lib/private/kinds/huawei-rds-recovery';
import { HuaweiRdsStandIn } from '../huawei-stand-in';
import { KindRehearsal, PlayContext, served } from '../kind-play';

function randomKey(length: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(length), (b) => letters[b % letters.length]).join('');
}

/** The credentials secret's value, made up when it is missing and `createSources` asks for it. */
async function credentials(secretId: string, context: PlayContext): Promise<string | undefined> {
  const secrets = new SecretsManagerClient({});
  try {
    return (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    // Without createSources the handler meets the missing secret itself, and says what is wrong.
    if (!context.createSources) return undefined;
    // Named as the ARN says (a partial ARN, or a complete one, whose suffix the emulator resolves by name).
    const name = secretId.replace(/^arn:[^:]+:secretsmanager:[^:]+:\d+:secret:/, '');
    const secret = JSON.stringify({ accessKeyId: `REHEARSAL${randomKey(12)}`, secretAccessKey: randomKey(40) });
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: secret }));
    context.print(`    created source: the credentials secret ${name} (a made-up key pair the stand-in accepts)`);
    return secret;
  }
}

async function prepare(standIn: HuaweiRdsStandIn, props: Record<string, any>, context: PlayContext): Promise<void> {
  const secret = await credentials(String(props.CredentialsSecretArn), context);
  try {
    const { accessKeyId, secretAccessKey } = JSON.parse(secret ?? '');
    if (accessKeyId && secretAccessKey) standIn.acceptCredentials(accessKeyId, secretAccessKey);
  } catch {
    // The handler reads the secret too, and says what is wrong with it.
  }
  if (!context.createSources) return;
  const project = String(props.ProjectId);
  // Restorable since before the restore time, so that the pre-flight's range holds it.
  const restorableFrom = Math.min(Date.now() - 7 * 86_400_000, Number(props.RestoreTime ?? Infinity) - 3_600_000);
  for (const instance of new Set([props.SourceInstanceId, props.TargetInstanceId])) {
    if (standIn.hasInstance(project, instance)) continue;
    standIn.addInstance(project, instance, String(props.Engine), { restorableFrom });
    context.print(`    created source: Huawei Cloud RDS ${props.Engine} instance ${instance} in project ${project} (stand-in)`);
  }
  if (props.BackupId) {
    standIn.addBackup(project, props.BackupId, props.SourceInstanceId);
    context.print(`    created source: Huawei Cloud RDS backup ${props.BackupId} of ${props.SourceInstanceId} (stand-in)`);
  }
}

export const HUAWEI_RDS_RECOVERY_REHEARSAL: KindRehearsal = {
  kind: HUAWEI_RDS_RECOVERY,
  play: (context) => {
    const standIn = new HuaweiRdsStandIn();
    return {
      ...served(standIn),
      announce: (props) => `Huawei Cloud RDS (${props.Endpoint}) is played by the local stand-in at ${standIn.endpoint}`,
      prepare: (props) => prepare(standIn, props, context),
      deliver: (props) => ({ ...props, Endpoint: standIn.endpoint }),
      state: () => ({ huaweiJobs: standIn.startedJobs }),
    };
  },
};
