import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cfnEvent } from './support/events';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { ProviderFramework } from './support/provider-framework';
import { createPollerStateMachine, WaitHandles } from './support/wait-handle';
import { STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';
import { HuaweiRdsStandIn, StandInInstance } from '../rehearse/huawei-stand-in';

/**
 * The Huawei Cloud pre-flight, each constraint of the API reference violated alone: CloudFormation's Create goes
 * through aws-cdk-lib's provider-framework runtime to the bundled handler, which reads its keys from moto_server's
 * Secrets Manager and asks the rehearsal's Huawei Cloud stand-in (nothing else plays the API) with signed requests.
 * Each refusal must name the constraint and both values, and no restore request may reach the stand-in.
 */
const TYPE = 'Custom::HuaweiRdsRecovery';
const PROJECT = '0483b6b16e954cb88930a360d2c4e663';
const SOURCE = 'd8e6ca5a624745bcb546a227aa3ae1cfin01';
const TARGET = 'f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01';
const BACKUP = '2f4ddb93-b901-4b08-93d8-1d2e472f30fe';
const HOUR = 3_600_000;
const keys = { accessKeyId: 'HWAKPREFLIGHT01', secretAccessKey: 'hw-preflight-secret' };
const run = requireMoto();
const suite = run ? describe : describe.skip;

suite('the Huawei Cloud pre-flight, through the provider framework and the bundled handler', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let handles: WaitHandles;
  let pollerArn: string;
  let secretArn: string;
  let standIn: HuaweiRdsStandIn;

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    handles = await WaitHandles.start();
    pollerArn = await createPollerStateMachine();
    secretArn = (await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: 'huawei-preflight', SecretString: JSON.stringify(keys) }))).ARN!;
  });
  afterAll(async () => {
    restoreEnv?.();
    handles?.close();
    await moto?.stop();
  });
  beforeEach(async () => {
    process.env[STATE_MACHINE_ARN_ENV] = pollerArn;
    standIn = new HuaweiRdsStandIn();
    await standIn.start();
    standIn.acceptCredentials(keys.accessKeyId, keys.secretAccessKey);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    standIn.close();
    jest.restoreAllMocks();
  });

  const recovery = (engine: string, overrides: Record<string, unknown> = {}) => ({
    Endpoint: standIn.endpoint,
    ProjectId: PROJECT,
    CredentialsSecretArn: secretArn,
    Engine: engine,
    SourceInstanceId: SOURCE,
    TargetInstanceId: TARGET,
    RestoreType: 'backup',
    BackupId: BACKUP,
    TimeoutSeconds: 3600,
    WaitHandle: handles.newHandle(),
    ...overrides,
  });
  /** A source and a target of the engine that pass, with what each case changes; and the source's backup. */
  const seed = (engine: string, source: Partial<StandInInstance> = {}, target: Partial<StandInInstance> = {}) => {
    standIn.addInstance(PROJECT, SOURCE, engine, source);
    standIn.addInstance(PROJECT, TARGET, engine, target);
    standIn.addBackup(PROJECT, BACKUP, SOURCE);
  };
  const create = (props: Record<string, unknown>) => new ProviderFramework().send(cfnEvent('Create', TYPE, props));

  /** The Create failed with the message, and no restore request reached Huawei Cloud. */
  async function expectRefused(props: Record<string, unknown>, ...messages: string[]) {
    const answer = await create(props);
    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ProviderFramework.CREATE_FAILED_MARKER });
    expect(answer.Reason).toContain(`Restoring into ${props.TargetInstanceId} was checked before anything was sent, and nothing was sent: `);
    for (const message of messages) expect(answer.Reason).toContain(message);
    expect(standIn.recoveryRequests).toEqual([]);
    expect(standIn.startedJobs).toEqual([]);
  }

  describe('both instances', () => {
    test('the source must exist in the project and region', async () => {
      standIn.addInstance(PROJECT, TARGET);
      await expectRefused(recovery('mysql'), 'the source instance must exist in the project and region',
        `Project ${PROJECT} at ${standIn.endpoint} has no DB instance ${SOURCE}; a restore across regions or projects is not supported`);
    });

    test('the target must exist in the project and region', async () => {
      standIn.addInstance(PROJECT, SOURCE);
      standIn.addInstance('another0project0of0the0account00', TARGET);
      await expectRefused(recovery('mysql'), 'the target instance must exist in the project and region', `has no DB instance ${TARGET}`);
    });

    test.each(['MODIFYING', 'RESTORING', 'STORAGE FULL', 'FROZEN'])('the target must be available, not %s', async (status) => {
      seed('mysql', {}, { status });
      await expectRefused(recovery('mysql'), 'the target instance must be available (ACTIVE or BACKING UP)', `Instance ${TARGET} is ${status}.`);
    });

    test('both must run the engine declared', async () => {
      seed('mysql', {}, { engine: 'PostgreSQL', version: '14' });
      await expectRefused(recovery('mysql'), 'both instances must run the DB engine the construct declares',
        `engine is mysql (MySQL); the source ${SOURCE} runs MySQL and the target ${TARGET} PostgreSQL.`);
    });

    // The construct refuses this at synth when both ids are literals; a CfnParameter brings it here.
    test('a PostgreSQL restore may not go into its source', async () => {
      seed('postgresql');
      await expectRefused(recovery('postgresql', { TargetInstanceId: SOURCE }),
        'a restore into the source instance itself is supported only for MySQL and SQL Server', `The source and the target are both ${SOURCE}`);
    });
  });

  describe('each engine\'s own rules', () => {
    test('MySQL: the target\'s version must be at least the source\'s', async () => {
      seed('mysql', { completeVersion: '8.0.28' }, { completeVersion: '8.0.25' });
      await expectRefused(recovery('mysql'), 'for RDS for MySQL the target\'s engine version must be at least the source\'s',
        `The source ${SOURCE} runs MySQL 8.0.28 and the target ${TARGET} MySQL 8.0.25.`);
    });

    test('MySQL: the target\'s storage must be at least the source\'s', async () => {
      seed('mysql', { sizeGb: 100 }, { sizeGb: 40 });
      await expectRefused(recovery('mysql'), 'for RDS for MySQL the target\'s total storage must be at least the source\'s',
        `The source ${SOURCE} has 100 GB and the target ${TARGET} 40 GB.`);
    });

    test('MySQL: both must have the same case sensitivity', async () => {
      seed('mysql', { parameters: { lower_case_table_names: '0' } }, { parameters: { lower_case_table_names: '1' } });
      await expectRefused(recovery('mysql'), 'for RDS for MySQL both instances must have the same case sensitivity (lower_case_table_names)',
        `The source ${SOURCE} has lower_case_table_names=0 and the target ${TARGET} lower_case_table_names=1`);
    });

    test('PostgreSQL: the target\'s version must be the source\'s', async () => {
      seed('postgresql', { version: '14', completeVersion: '14.4' }, { version: '15', completeVersion: '15.2' });
      await expectRefused(recovery('postgresql'), 'for RDS for PostgreSQL the target\'s engine version must be the same as the source\'s',
        `The source ${SOURCE} runs PostgreSQL 14 and the target ${TARGET} PostgreSQL 15.`);
    });

    test.each([
      ['2017_EE', '2016_EE', 'from 2017 Enterprise Edition a restore goes to 2017 Enterprise Edition.'],
      ['2016_SE', '2016_WEB', 'from 2016 Standard Edition a restore goes to 2016 Standard Edition, 2016 Enterprise Edition, 2017 Standard Edition, 2017 Enterprise Edition.'],
      ['2012_EE', '2014_SE', 'from 2012 Enterprise Edition a restore goes to 2012 Enterprise Edition, 2014 Enterprise Edition, 2016 Enterprise Edition, 2017 Enterprise Edition.'],
    ])('SQL Server: %s may not be restored to %s (Table 1)', async (from, to, allowed) => {
      seed('sqlserver', { version: from }, { version: to });
      await expectRefused(recovery('sqlserver'), 'for RDS for SQL Server the target\'s version and edition must be one Table 1 of the API reference allows', allowed);
    });

    test('SQL Server: both must be in the same time zone', async () => {
      seed('sqlserver', { timeZone: 'China Standard Time' }, { timeZone: 'UTC' });
      await expectRefused(recovery('sqlserver'), 'for RDS for SQL Server both instances must have the same time zone',
        `The source ${SOURCE} is in China Standard Time and the target ${TARGET} in UTC`);
    });

    test('SQL Server: a new name may not name a database of the target, in another case under a case-insensitive collation', async () => {
      seed('sqlserver', { databases: ['orders', 'billing'] }, { databases: ['Reports', 'orders_archive'] });
      await expectRefused(recovery('sqlserver', { DatabaseNames: { orders: 'orders,orders_2024', billing: 'reports' } }),
        'for RDS for SQL Server a database is restored under a name no database of the source or the target has',
        `databaseNames.billing names reports, and the target ${TARGET} holds a database Reports (collation Chinese_PRC_CI_AS).`);
    });

    test('SQL Server: a new name may not name a database of the source', async () => {
      seed('sqlserver', { databases: ['orders', 'audit'] });
      await expectRefused(recovery('sqlserver', { DatabaseNames: { orders: 'audit' } }),
        'for RDS for SQL Server a database is restored under a name no database of the source or the target has',
        `databaseNames.orders names audit, and the source ${SOURCE} holds a database audit`);
    });

    test('SQL Server: a database kept under its name may not meet one of that name on another instance', async () => {
      seed('sqlserver', { databases: ['orders'] }, { databases: ['ORDERS'] });
      await expectRefused(recovery('sqlserver', { DatabaseNames: { orders: '' } }),
        'for RDS for SQL Server a database is restored under a name no database of the source or the target has',
        `databaseNames.orders names orders (its original name), and the target ${TARGET} holds a database ORDERS`);
    });

    test('SQL Server: the target\'s databases are read page by page', async () => {
      const many = Array.from({ length: 150 }, (_, i) => `db${String(i).padStart(3, '0')}`);
      seed('sqlserver', { databases: ['orders'] }, { databases: many });
      await expectRefused(recovery('sqlserver', { DatabaseNames: { orders: 'db130' } }), `the target ${TARGET} holds a database db130`);
    });
  });

  describe('the restore point', () => {
    test('a backup must exist', async () => {
      seed('mysql');
      await expectRefused(recovery('mysql', { BackupId: 'missing-backup' }), 'the backup must exist and be a backup of the source instance',
        `Instance ${SOURCE} has no backup missing-backup.`);
    });

    test('a backup must be of the source instance', async () => {
      seed('mysql');
      standIn.addBackup(PROJECT, 'of-the-target', TARGET);
      await expectRefused(recovery('mysql', { BackupId: 'of-the-target' }), 'the backup must exist and be a backup of the source instance',
        `Instance ${SOURCE} has no backup of-the-target.`);
    });

    test.each([['BUILDING', 'Wait until it is COMPLETED'], ['FAILED', 'Restore from another backup'], ['DELETING', 'Restore from another backup']])(
      'a backup must be completed, not %s', async (status, fix) => {
        seed('mysql');
        standIn.addBackup(PROJECT, BACKUP, SOURCE, status);
        await expectRefused(recovery('mysql'), 'the backup must be completed', `Backup ${BACKUP} of ${SOURCE} is ${status}. ${fix}`);
      });

    test('a point in time must lie in a restorable range, and the refusal shows the nearest', async () => {
      const from = Date.now() - 2 * HOUR;
      seed('mysql', { restorableFrom: from });
      const time = from - HOUR;
      await expectRefused(recovery('mysql', { RestoreType: 'timestamp', BackupId: undefined, RestoreTime: time }),
        'the restore time must lie in one of the source\'s restorable time ranges', `${new Date(time).toISOString()} (${time}) is in none of ${SOURCE}'s ranges`,
        `; the nearest is ${new Date(from).toISOString()} to `);
    });
  });

  describe('a pair that passes starts one restore', () => {
    const started = async (props: Record<string, unknown>) => {
      const answer = await create(props);
      expect(answer).toMatchObject({ Status: 'SUCCESS' });
      expect(standIn.startedJobs).toEqual([{ id: answer.PhysicalResourceId, instanceId: props.TargetInstanceId, completed: false }]);
      expect(standIn.recoveryRequests).toHaveLength(1);
    };

    test('MySQL, a point in time, into a newer minor version with more storage and the same case sensitivity', async () => {
      seed('mysql', { completeVersion: '5.7.25', version: '5.7', sizeGb: 40 }, { completeVersion: '5.7.100', version: '5.7', sizeGb: 80 });
      await started(recovery('mysql', { RestoreType: 'timestamp', BackupId: undefined, RestoreTime: Date.now() - HOUR }));
    });

    test('MySQL, a backup, into the source itself', async () => {
      seed('mysql');
      await started(recovery('mysql', { TargetInstanceId: SOURCE }));
    });

    test('PostgreSQL, a backup, into another instance of the same version', async () => {
      seed('postgresql', { completeVersion: '14.4' }, { completeVersion: '14.9', status: 'BACKING UP' });
      await started(recovery('postgresql'));
    });

    test('SQL Server, the reference\'s own correct example of names, restored into the source itself, whose A and C it overwrites', async () => {
      seed('sqlserver', { databases: ['A', 'B', 'C'] });
      await started(recovery('sqlserver', { TargetInstanceId: SOURCE, DatabaseNames: { A: 'A,A1,A2', B: 'B1,B2', C: '' } }));
    });

    test('SQL Server, the same names into another instance of an edition Table 1 allows, which holds none of them', async () => {
      seed('sqlserver', { version: '2014_SE', databases: ['A', 'B', 'C'] }, { version: '2016_EE', databases: ['other'] });
      await started(recovery('sqlserver', { DatabaseNames: { A: 'A,A1,A2', B: 'B1,B2', C: '' } }));
    });

    test('a broken source restored into a sound target, of the same MySQL version given at two precisions, without a case setting listed', async () => {
      seed('mysql', { status: 'FAILED', completeVersion: '8.0.28' }, { completeVersion: undefined, parameters: {} });
      await started(recovery('mysql'));
    });

    test('a Flexus RDS target, listed only when asked for', async () => {
      seed('mysql', {}, { flexus: true });
      await started(recovery('mysql'));
    });

    test('SQL Server names that differ from the target\'s only in case, under a case-sensitive collation', async () => {
      seed('sqlserver', { databases: ['orders'] }, { databases: ['Reports'], collation: 'SQL_Latin1_General_CP1_CS_AS' });
      await started(recovery('sqlserver', { DatabaseNames: { orders: 'reports' } }));
    });

    test('SQL Server to a release Table 1 does not name is left to the service', async () => {
      seed('sqlserver', { version: '2019_EE' }, { version: '2022_EE' });
      await started(recovery('sqlserver'));
    });
  });
});
