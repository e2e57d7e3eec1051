import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * Bundles the custom-resource handler once, at library build time, into assets/ which the npm
 * package ships. Consumers' synth then needs neither esbuild nor Docker nor the network.
 */
const root = path.join(__dirname, '..');
const outfile = path.join(root, 'assets', 'restore-handler', 'index.js');

const result = buildSync({
  entryPoints: [path.join(root, 'lambda', 'shared', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  // Deterministic output keeps the asset hash, and so the integ snapshots, stable.
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`bundled ${path.relative(root, outfile)} (${(bytes / 1024).toFixed(0)} KiB)`);
