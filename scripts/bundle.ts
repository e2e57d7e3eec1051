import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * Bundles, once, at library build time, into assets/ which the npm package ships: the
 * custom-resource handler (loaded by the constructs as a Lambda asset) and the rehearsal command.
 * Consumers' synth then needs neither esbuild nor Docker nor the network.
 */
const root = path.join(__dirname, '..');
const bundles = [
  { entry: 'lambda/index.ts', out: 'assets/restore-handler/index.js' },
  { entry: 'rehearse/cli.ts', out: 'assets/rehearse/cli.js' },
];

for (const { entry, out } of bundles) {
  const result = buildSync({
    entryPoints: [path.join(root, entry)],
    outfile: path.join(root, out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    // Deterministic output keeps the asset hash, and so the integ snapshots, stable.
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`bundled ${out} (${(bytes / 1024).toFixed(0)} KiB)`);
}
