import { spawnSync, SpawnSyncOptions } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IN_CI } from './support/api-model';

/**
 * The package as its users get it: `npm pack`, installed from the tarball into apps that `cdk init`
 * itself laid out, beside aws-cdk-lib from the registry at both ends of the peer range, synthesized by
 * the newest aws-cdk CLI 2.x inside a network namespace that has only loopback. Nothing here imports
 * the library's sources: a mistake in what the package holds fails here and nowhere else.
 */

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const fixtures = path.join(__dirname, 'consumer-app');

/** The last aws-cdk CLI whose `cdk init` wrote `npx ts-node --prefer-ts-exts` as the app command (2.1131.0 moved to tsx). */
const TS_NODE_INIT_CLI = '2.1130.0';

/** The restore kinds, as CloudFormation types: each app must synthesize every one. */
const KINDS = ['PointInTimeRestoredCluster', 'S3ImportedAuroraCluster', 'CopiedElasticSnapshot', 'BackupRestoreJob', 'HuaweiRdsRecovery'];

/** The oldest version a caret range admits; the peer ranges are caret ranges, and anything else needs a new rule here. */
function floorOf(dependency: string): string {
  const range: string = manifest.peerDependencies[dependency];
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!match) throw new Error(`peerDependencies["${dependency}"] is "${range}"; the consumer test knows the floor of a caret range only`);
  return match[1];
}

interface Run { status: number | null; output: string }

/** Runs a command and returns its exit code with stdout and stderr interleaved as a user sees them. */
function run(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }): Run {
  // The test task hushes jsii's deprecation notices; a user's synth does not, and neither does this.
  const env = { ...process.env };
  delete env.JSII_DEPRECATED;
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000, ...options, stdio: 'pipe' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The end of a command's output: where it says why it failed, without a minified bundle's source line. */
function tail(output: string): string {
  return output.split('\n').map((line) => line.length > 400 ? `${line.slice(0, 400)}...` : line).slice(-60).join('\n');
}

function runOk(command: string, args: string[], cwd: string): string {
  const result = run(command, args, { cwd });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${tail(result.output)}`);
  return result.output;
}

/**
 * Whether this machine can give a command a network namespace of its own (root, util-linux, iproute2).
 * Without one the synths still run, but nothing would prove they reach no endpoint: CI must have it.
 */
const ISOLATION = (() => {
  const probe = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && ip -o link show'], { encoding: 'utf8' });
  if (probe.status === 0) {
    const links = probe.stdout.trim().split('\n').map((line) => line.split(':')[1].trim());
    if (links.join() !== 'lo') throw new Error(`the synths' network namespace has links besides loopback: ${links.join(', ')}`);
    return true;
  }
  const why = 'unshare --net is not available here (it needs root, util-linux and iproute2)';
  if (IN_CI) throw new Error(`${why}, and CI must prove that synth reaches no network`);
  console.warn(`The consumer synths run without a network namespace: ${why}`);
  return false;
})();

/** Runs a command with loopback as its only network, so any call to a real endpoint fails it. */
function offline(command: string, args: string[], cwd: string): Run {
  if (!ISOLATION) return run(command, args, { cwd });
  return run('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', command, ...args], { cwd });
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let work: string;
let tarball: string;
let packedFiles: string[];
let newestCli: string;
let tsNodeCli: string;

beforeAll(() => {
  // npm pack packs what is on disk: the compiled output must be that of the sources.
  const jsii = path.join(root, '.jsii');
  const newestSource = Math.max(...walk(path.join(root, 'lib')).filter((f) => /(?<!\.d)\.ts$/.test(f)).map((f) => fs.statSync(f).mtimeMs));
  if (!fs.existsSync(jsii) || fs.statSync(jsii).mtimeMs < newestSource) {
    throw new Error('lib/ has no compiled output newer than its sources: run "npx projen compile" before this test ("npm test" does)');
  }

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-restore-consumer-'));
  const packed = JSON.parse(runOk('npm', ['pack', '--json', '--pack-destination', work], root))[0];
  tarball = path.join(work, packed.filename);
  packedFiles = packed.files.map((f: { path: string }) => f.path).sort();
  console.log(`npm pack: ${packed.entryCount} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);

  // Two aws-cdk CLIs to lay the apps out: the newest 2.x, and the last one whose apps ran on ts-node.
  const tools = path.join(work, 'tools');
  fs.mkdirSync(tools);
  fs.writeFileSync(path.join(tools, 'package.json'), '{"private": true}');
  runOk('npm', ['install', '--no-audit', '--no-fund', 'aws-cdk@^2', `ts-node-era-cli@npm:aws-cdk@${TS_NODE_INIT_CLI}`], tools);
  newestCli = path.join(tools, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  tsNodeCli = path.join(tools, 'node_modules', 'ts-node-era-cli', 'bin', 'cdk');
}, 10 * 60_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the package holds the compiled library, its bundles and docs, and nothing of the build', () => {
  const allowed = [
    /^(package\.json|README\.md|LICENSE|API\.md|\.jsii)$/,
    /^lib\/.+(\.js|\.d\.ts)$/,
    /^assets\/(restore-handler\/index|rehearse\/cli)\.js$/,
    /^bin\/cdk-restore-rehearse$/,
  ];
  expect(packedFiles.filter((f) => !allowed.some((rule) => rule.test(f)))).toEqual([]);

  // Every source compiles to a module and its declarations, and both are shipped.
  const sources = walk(path.join(root, 'lib')).filter((f) => /(?<!\.d)\.ts$/.test(f)).map((f) => path.relative(root, f));
  const expected = sources.flatMap((f) => [f.replace(/\.ts$/, '.js'), f.replace(/\.ts$/, '.d.ts')]);
  expect(expected.filter((f) => !packedFiles.includes(f))).toEqual([]);
  for (const f of ['.jsii', 'API.md', 'README.md', 'LICENSE', 'assets/restore-handler/index.js', 'assets/rehearse/cli.js', 'bin/cdk-restore-rehearse']) {
    expect(packedFiles).toContain(f);
  }
});

/** A directory laid out by `cdk init app` of the given CLI and language, with the fixture as its stack. */
function initApp(parent: string, name: string, cli: string, language: 'typescript' | 'javascript'): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  runOk(process.execPath, [cli, 'init', 'app', '--language', language, '--generate-only'], dir);
  const extension = language === 'typescript' ? 'ts' : 'js';
  const stack = path.join(dir, 'lib', `${name}-stack.${extension}`);
  expect(fs.existsSync(stack)).toBe(true);
  fs.copyFileSync(path.join(fixtures, `${name}-stack.${extension}`), stack);
  return dir;
}

interface Synthesized { template: Record<string, any>; out: string }

/** `cdk synth` as a user runs it, offline; checks what it printed and what it wrote. */
function synth(dir: string, cliBin: string, stackName: string): Synthesized {
  const result = offline(cliBin, ['synth', '--quiet'], dir);
  if (result.status !== 0) throw new Error(`cdk synth in ${dir} exited ${result.status}:\n${tail(result.output)}`);
  // Warnings are output too: no deprecation notice, no warning annotation.
  expect(result.output.split('\n').filter((line) => /deprecat|warn/i.test(line))).toEqual([]);

  const out = path.join(dir, 'cdk.out');
  const template = JSON.parse(fs.readFileSync(path.join(out, `${stackName}.template.json`), 'utf8'));
  const types = new Set(Object.values<{ Type: string }>(template.Resources).map((r) => r.Type));
  expect(KINDS.filter((kind) => !types.has(`Custom::${kind}`))).toEqual([]);
  return { template, out };
}

/** The handler the functions run is the bundle the package ships, staged unchanged. */
function expectShippedHandler(app: string, synthesized: Synthesized) {
  const shipped = sha256(path.join(app, 'node_modules', 'cdk-restore-constructs', 'assets', 'restore-handler', 'index.js'));
  const staged = walk(synthesized.out).filter((f) => path.basename(f) === 'index.js' && sha256(f) === shipped);
  expect(staged).toHaveLength(1);
  const functions = Object.values<{ Type: string; Properties: Record<string, any> }>(synthesized.template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && /^index\.(onEvent|isComplete|poll)$/.test(r.Properties.Handler));
  expect(functions.map((f) => f.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent', 'index.poll']);
}

function installedVersion(app: string, pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(app, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/**
 * The library's sources type-checked against the aws-cdk-lib and constructs an app installed: an API
 * the library uses that this aws-cdk-lib lacks fails here, even where synth would silently ignore it.
 */
function typeCheckLibraryAgainst(app: string) {
  const copy = path.join(app, 'library-sources');
  for (const source of walk(path.join(root, 'lib')).filter((f) => /(?<!\.d)\.ts$/.test(f))) {
    const target = path.join(copy, path.relative(path.join(root, 'lib'), source));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
  }
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  delete compilerOptions.rootDir;
  delete compilerOptions.outDir;
  fs.writeFileSync(path.join(copy, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { ...compilerOptions, noEmit: true, declaration: false, types: ['node'] },
    include: ['**/*.ts'],
  }));
  const result = run(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', copy], { cwd: app });
  expect(result.output).toBe('');
  expect(result.status).toBe(0);
}

const npmInstall = (dir: string, ...specs: string[]) => runOk('npm', ['install', '--no-audit', '--no-fund', tarball, ...specs], dir);

describe('installed from the tarball', () => {
  const TIMEOUT = 15 * 60_000;

  test('a TypeScript app from the newest cdk init (tsc, tsx) and a JavaScript app, with the newest aws-cdk-lib', () => {
    const parent = path.join(work, 'newest');
    const app = initApp(parent, 'consumer-app', newestCli, 'typescript');
    expect(JSON.parse(fs.readFileSync(path.join(app, 'cdk.json'), 'utf8')).app).toMatch(/tsx bin\/consumer-app\.ts/);
    // The JavaScript app resolves its packages from the TypeScript app's node_modules, one folder up.
    const jsApp = initApp(app, 'js-app', newestCli, 'javascript');
    npmInstall(app, 'aws-cdk-lib@^2', 'constructs@^10', 'aws-cdk@^2');
    console.log(`newest: aws-cdk-lib ${installedVersion(app, 'aws-cdk-lib')}, aws-cdk ${installedVersion(app, 'aws-cdk')}, typescript ${installedVersion(app, 'typescript')}`);

    const cdk = path.join(app, 'node_modules', '.bin', 'cdk');
    expectShippedHandler(app, synth(app, cdk, 'ConsumerAppStack'));
    expectShippedHandler(app, synth(jsApp, cdk, 'JsAppStack'));

    // The rehearsal's command is installed and loads its bundle.
    const rehearse = run(path.join(app, 'node_modules', '.bin', 'cdk-restore-rehearse'), ['--help'], { cwd: app });
    expect(rehearse.output).toContain('Usage: cdk-restore-rehearse');
  }, TIMEOUT);

  test('a TypeScript app on ts-node --prefer-ts-exts, with the newest aws-cdk-lib', () => {
    const app = initApp(path.join(work, 'ts-node'), 'consumer-app', tsNodeCli, 'typescript');
    // With this flag a shipped lib/*.ts would be loaded instead of its .js, and fail to compile.
    expect(JSON.parse(fs.readFileSync(path.join(app, 'cdk.json'), 'utf8')).app).toBe('npx ts-node --prefer-ts-exts bin/consumer-app.ts');
    npmInstall(app, 'aws-cdk-lib@^2', 'aws-cdk@^2');
    typeCheckLibraryAgainst(app);
    synth(app, path.join(app, 'node_modules', '.bin', 'cdk'), 'ConsumerAppStack');
  }, TIMEOUT);

  test('TypeScript and JavaScript apps with the oldest aws-cdk-lib and constructs of the peer ranges', () => {
    const cdkFloor = floorOf('aws-cdk-lib');
    const constructsFloor = floorOf('constructs');
    const app = initApp(path.join(work, 'floor'), 'consumer-app', tsNodeCli, 'typescript');
    const jsApp = initApp(app, 'js-app', newestCli, 'javascript');
    npmInstall(app, `aws-cdk-lib@${cdkFloor}`, `constructs@${constructsFloor}`, 'aws-cdk@^2');
    expect([installedVersion(app, 'aws-cdk-lib'), installedVersion(app, 'constructs')]).toEqual([cdkFloor, constructsFloor]);
    console.log(`floor: aws-cdk-lib ${cdkFloor}, constructs ${constructsFloor}, aws-cdk ${installedVersion(app, 'aws-cdk')}`);

    typeCheckLibraryAgainst(app);
    const cdk = path.join(app, 'node_modules', '.bin', 'cdk');
    expectShippedHandler(app, synth(app, cdk, 'ConsumerAppStack'));
    expectShippedHandler(app, synth(jsApp, cdk, 'JsAppStack'));
  }, TIMEOUT);
});
