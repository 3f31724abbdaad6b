// Bundles the admin entry for Strapi's admin build (which imports exports['./strapi-admin'].import).
// Everything the host admin provides (React, Strapi, the design system) stays external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].flatMap(
  (name) => [name, `${name}/*`]
);

const common = {
  entryPoints: ['admin/src/index.ts'],
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  jsx: 'automatic',
  external,
  loader: { '.json': 'json', '.svg': 'dataurl', '.png': 'dataurl' },
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, format: 'esm', outfile: 'dist/admin/index.mjs' }),
  build({ ...common, format: 'cjs', outfile: 'dist/admin/index.js' }),
]);
