import { awscdk, javascript } from 'projen';

/**
 * The oldest aws-cdk-lib the library works with, and so the floor of its peer range: the first to offer
 * the Node.js 22 Lambda runtime (the handlers run on the newest the app's aws-cdk-lib offers). test/consumer.test.ts compiles lib/ against it and
 * synthesizes an app with it, so a use of anything newer fails the tests.
 */
const CDK_FLOOR = '2.168.0';
/** The oldest constructs that aws-cdk-lib 2.x accepts; the library needs nothing newer. */
const CONSTRUCTS_FLOOR = '10.0.0';
/**
 * What the library is built and unit-tested with: an aws-cdk-lib whose cloud assembly integ-runner
 * 2.197.10 still reads (2.276 writes a schema it cannot). The consumer test covers the newest aws-cdk-lib.
 */
const CDK_DEV_VERSION = '2.245.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-restore-constructs',
  description: 'AWS CDK constructs that declare a database restore as infrastructure as code: point-in-time restores, S3 imports, snapshot copies and AWS Backup restore jobs.',
  author: 'cdk-restore-constructs developers',
  authorAddress: 'maintainers@cdk-restore-constructs.dev',
  repositoryUrl: 'https://github.com/cdk-restore-constructs/cdk-restore-constructs.git',
  keywords: ['cdk', 'aws-cdk', 'restore', 'neptune', 'aurora', 'rds', 'point-in-time', 'backup'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_FLOOR,
  constructsVersion: CONSTRUCTS_FLOOR,
  // The dev dependencies below are newer than the floors; the floors are tested by the consumer test.
  peerDependencyOptions: { pinnedDevDependency: false },
  minNodeVersion: '20.0.0',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  // The layout is fixed by the design brief: construct sources in lib/, compiled output beside them.
  srcdir: 'lib',
  libdir: 'lib',
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  publishToPypi: { distName: 'cdk-restore-constructs', module: 'cdk_restore_constructs' },
  publishToMaven: {
    javaPackage: 'io.github.cdkrestoreconstructs',
    mavenGroupId: 'io.github.cdkrestoreconstructs',
    mavenArtifactId: 'cdk-restore-constructs',
  },
  publishToNuget: { dotNetNamespace: 'CdkRestoreConstructs', packageId: 'CdkRestoreConstructs' },
  publishToGo: { moduleName: 'github.com/cdk-restore-constructs/cdk-restore-constructs-go' },

  devDeps: [
    `aws-cdk-lib@${CDK_DEV_VERSION}`,
    '@aws-sdk/client-rds',
    '@aws-sdk/client-neptune',
    '@aws-sdk/client-kms',
    '@aws-sdk/client-sfn',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-docdb-elastic',
    '@aws-sdk/client-backup',
    '@aws-sdk/client-secrets-manager',
    // Loaded by aws-cdk-lib's provider-framework runtime, which the fault-matrix tests run.
    '@aws-sdk/client-lambda',
    // The official Huawei Cloud AK/SK signer, bundled into the handler.
    '@huaweicloud/huaweicloud-sdk-core',
    '@types/aws-lambda',
    '@types/node@^20',
    'aws-sdk-client-mock',
    'aws-sdk-client-mock-jest',
    'esbuild',
    '@aws-cdk/integ-runner@2.197.10',
    // Applied by test/cdk-nag.test.ts; the library writes its suppressions as metadata and needs no import of it.
    'cdk-nag@^2',
    '@aws-sdk/client-cloudwatch',
    // A drill run writes its report to S3 and tells EventBridge of its result.
    '@aws-sdk/client-s3',
    '@aws-sdk/client-eventbridge',
    // The README's example validator for Aurora PostgreSQL connects with it; the README test compiles it.
    'pg',
    '@types/pg',
    `@aws-cdk/integ-tests-alpha@${CDK_DEV_VERSION}-alpha.0`,
    // The rehearsal plays the synthesized polling state machine with it (bundled into assets/rehearse).
    'aws-local-stepfunctions@3.0.0',
  ],
  jestOptions: {
    jestVersion: '^29',
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // lib/ holds jsii's compiled .js beside the sources; tests must run the sources.
      moduleFileExtensions: ['ts', 'js', 'json'],
      coveragePathIgnorePatterns: ['/node_modules/', '/assets/'],
      testTimeout: 60_000,
    },
  },
  tsconfigDev: {
    include: ['../rehearse/**/*.ts', '../lambda/**/*.ts', '../integ/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'],
    // The consumer apps import the installed package by name; the consumer test compiles them where it is installed.
    exclude: ['consumer-app'],
  },
  eslintOptions: {
    dirs: ['lib'],
    // The handlers' SDK clients are bundled at build time, so for them they are build dependencies.
    devdirs: ['lambda', 'rehearse', 'test', 'integ', 'examples', 'bench', 'scripts'],
  },
  // jsii-pacmak writes a .npmignore when there is none; npm disregards it beside package.json "files".
  gitignore: ['/assets/', '/cdk.out/', '/integ/cdk-integ.out.*', '*.js.map', '/.moto/', '/.npmignore'],
  // What the npm package holds is listed in package.json "files" below, not left to an ignore file.
  npmignoreEnabled: false,
  bin: { 'cdk-restore-rehearse': 'bin/cdk-restore-rehearse' },
});

project.eslint?.addIgnorePattern('test/consumer-app/');

// What aws-cdk-lib 2.245 asks for (^10.5.0); added after the constructor, which replaces any constructs
// dependency with the peer floor.
project.addDevDeps('constructs@10.5.1');

// eslint-import-resolver-typescript 4.x pulls in unrs-resolver, whose per-platform bindings npm
// leaves out of the lock file, which breaks `npm ci` on a fresh clone.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.8.0');

// The handlers are bundled once, when the library is built, so a consumer's synth needs no esbuild.
const bundle = project.addTask('bundle', {
  description: 'Bundle the custom-resource handler into assets/',
  exec: 'ts-node --project test/tsconfig.json scripts/bundle.ts',
});
project.preCompileTask.spawn(bundle);

// The package holds what a consumer runs and nothing of the build. An allow-list, because the sources
// live beside their compiled output in lib/: a shipped lib/*.ts is loaded instead of its .js by
// `ts-node --prefer-ts-exts` (the app command `cdk init` wrote until CLI 2.1130), which then fails on
// TypeScript it will not compile inside node_modules. test/consumer.test.ts holds the package to this list.
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.d.ts',
  '.jsii',
  'assets/',
  'bin/',
  'API.md',
]);

const pacmak = project.addTask('pacmak:code-only', {
  description: 'Generate the Python, Java, .NET and Go sources (no toolchains needed)',
  exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go',
});

const integ = project.addTask('integ', {
  description: 'Verify the committed integ snapshots without deploying',
  exec: 'integ-runner --directory integ --language typescript --app "ts-node --project test/tsconfig.json {filePath}"',
});
project.addTask('integ:update', {
  description: 'Rewrite the integ snapshots (no deploy)',
  exec: 'integ-runner --directory integ --language typescript --app "ts-node --project test/tsconfig.json {filePath}" --dry-run --update-on-failed --force',
});

// `npm test` is the one command CI runs: every check the project owes, in order.
project.testTask.reset();
// aws-cdk-lib's own L1 classes trip its deprecation notices on every synth; they are not ours to fix.
project.testTask.env('JSII_DEPRECATED', 'quiet');
project.testTask.spawn(project.preCompileTask);
project.testTask.spawn(project.compileTask);
project.testTask.spawn(project.postCompileTask);
project.testTask.exec('git diff --quiet -- API.md && git ls-files --error-unmatch API.md >/dev/null || (echo "API.md is not current: run npx projen compile && npx projen docgen, then commit API.md" && exit 1)');
// ts-jest transpiles without type checking (isolatedModules); the handlers, tests, examples and
// integ apps are type-checked here instead.
project.testTask.exec('tsc --noEmit -p test/tsconfig.json');
project.testTask.exec('jest --ci');
project.testTask.spawn(project.tasks.tryFind('eslint')!);
project.testTask.spawn(pacmak);
project.testTask.spawn(integ);

project.addTask('bench', {
  description: 'Print the benchmarks\' figures: the poller\'s describe calls and delays; synth time, template size, IAM and resources per number of restores; what a drill run costs',
  env: { JSII_DEPRECATED: 'quiet' },
  steps: [
    { exec: 'ts-node --project test/tsconfig.json bench/poll-schedule.ts' },
    { exec: 'ts-node --project test/tsconfig.json bench/stack-scale.ts' },
    { exec: 'ts-node --project test/tsconfig.json bench/drill-cost.ts' },
  ],
});

project.addTask('example', {
  description: 'Synthesize examples/ into cdk.out, say what each restore restores, and rehearse it against a local emulator',
  // aws-cdk-lib's own L1 classes trip its deprecation notices; they say nothing about the example.
  env: { JSII_DEPRECATED: 'quiet' },
  steps: [
    { spawn: 'bundle' },
    // The example loads lib/ from its compiled output when there is one; keep that output current.
    { spawn: 'compile' },
    { exec: 'ts-node --project test/tsconfig.json examples/main.ts' },
  ],
});

project.synth();
