/**
 * The rehearsal's command line: which assembly and stack to play, against which emulator, and its report.
 */
import { pickStack, readStacks } from './assembly';
import { planInWords, planUpdate, readDeployed } from './plan';
import { rehearse, RehearsalFailure } from './rehearsal';

const USAGE = `Usage: cdk-restore-rehearse --app <cloud assembly dir> [--stack <name>] [--endpoint <url>] [--keep] [--create-sources] [--drill] [--report <file>]
                            [--update-from <deployed cloud assembly dir>]
       cdk-restore-rehearse --app <cloud assembly dir> --plan-from <deployed> [--stack <name>]

Runs the restores of a synthesized stack locally, through the handler bundles in the cloud assembly,
against an AWS API emulator: Create, the waits, then Delete in reverse order.

  --app <dir>       the directory cdk synth wrote (usually cdk.out)
  --stack <name>    the stack to rehearse, when the assembly has several
  --endpoint <url>  a running AWS API emulator; without it moto_server is started on 127.0.0.1
  --keep            leave what was created in place (a later run adopts it)
  --drill           once the stack is created, play one run of each drill it declares (restore, validation, measures,
                    delete) and print its report; fails when a run fails or leaves anything behind
  --create-sources  first make the stack's KMS keys and buckets, and the sources each restore names where
                    they are missing (source clusters, S3 backup files, Elastic snapshots, recovery points,
                    Huawei Cloud instances, backups and the credentials secret), so no seeding is needed
  --report <file>   write a JSON report: the outcome, and what the emulator and the stand-ins held after
                    Create and after Delete
  --update-from <dir>
                    first create the stack of the cloud assembly that was deployed, then play the update to
                    --app as CloudFormation sends it (Update, Create, Delete; the rollback when one fails)
  --plan-from <deployed>
                    plan the update instead: compare the stack with the one deployed (its cloud assembly
                    directory, or its template as \`aws cloudformation get-template\` prints it) and print
                    for each restore what the deploy does: unchanged, changed in place (which settings),
                    restored anew, or refused (why). Exits 1 when the deploy would be refused, 2 when a
                    restore's properties cannot be read from the templates`;

interface CliOptions {
  app: string;
  stack?: string;
  endpoint?: string;
  keep: boolean;
  createSources: boolean;
  drill: boolean;
  report?: string;
  planFrom?: string;
  updateFrom?: string;
}

export function parseArgs(argv: string[]): CliOptions {
  const options: Partial<CliOptions> & Pick<CliOptions, 'keep' | 'createSources' | 'drill'> = { keep: false, createSources: false, drill: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      return v;
    };
    if (arg === '--app') options.app = value();
    else if (arg === '--stack') options.stack = value();
    else if (arg === '--endpoint') options.endpoint = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--create-sources') options.createSources = true;
    else if (arg === '--drill') options.drill = true;
    else if (arg === '--report') options.report = value();
    else if (arg === '--plan-from') options.planFrom = value();
    else if (arg === '--update-from') options.updateFrom = value();
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`Unknown argument ${arg}\n\n${USAGE}`);
  }
  if (!options.app) throw new Error(`--app is required\n\n${USAGE}`);
  return { ...options, app: options.app };
}

/** Prints the plan of deploying `app` over `deployed`; 1 when a restore would be refused, 2 when one cannot be told. */
export function plan(options: Pick<CliOptions, 'app' | 'stack'> & { planFrom: string }, print: (line: string) => void = console.log): number {
  const next = pickStack(readStacks(options.app), options.stack);
  const plans = planUpdate(readDeployed(options.planFrom, next.name), next);
  print(`Plan of deploying stack ${next.name} from ${options.app} over ${options.planFrom}:`);
  planInWords(plans).forEach((line) => print(line));
  if (plans.some((p) => p.verdict === 'refused')) return 1;
  return plans.some((p) => p.verdict === 'unreadable') ? 2 : 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseArgs(argv);
    if (options.planFrom) return plan({ ...options, planFrom: options.planFrom });
    await rehearse(options);
    return 0;
  } catch (error) {
    console.error(error instanceof RehearsalFailure ? `Rehearsal failed: ${error.message}` : (error as Error).message);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
