// Run before `npm pack`: the package ships its built dist (building needs the repository's
// TypeScript and the host's Strapi types, which the plugin does not depend on), so packing checks
// instead of building. It fails, saying what to do, when an `exports` target or a shipped file is
// missing or lies outside `files`, so no tarball is made that a host app cannot load.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Every file path an `exports` map names, with the entry and condition that names it. */
const targetsOf = (exports, key = '.') =>
  typeof exports === 'string'
    ? [{ key, target: exports }]
    : Object.entries(exports).flatMap(([name, value]) => targetsOf(value, key.startsWith('./') ? `${key} (${name})` : name));

/** npm always packs package.json; the rest must be under an entry of `files`. */
const shipped = (file) => {
  const relative = path.posix.normalize(file.replace(/^\.\//, ''));
  return relative === 'package.json' || pkg.files.some((entry) => relative === entry || relative.startsWith(`${entry}/`));
};

/**
 * `source` names the entry in this repository for Strapi's plugin SDK (`strapi-plugin verify`);
 * like the SDK's own template, the package ships only what is built, not its sources.
 */
const isSourceEntry = (key) => key.endsWith('(source)');

const problems = [];
for (const { key, target } of targetsOf(pkg.exports).filter(({ key }) => !isSourceEntry(key))) {
  if (!existsSync(path.join(root, target))) problems.push(`exports ${key}: ${target} does not exist`);
  else if (!shipped(target)) problems.push(`exports ${key}: ${target} is not under "files"`);
}
for (const file of ['README.md', 'LICENSE']) {
  if (!existsSync(path.join(root, file))) problems.push(`${file} is missing`);
}

if (problems.length > 0) {
  console.error(`strapi-plugin-product-gallery cannot be packed:\n  ${problems.join('\n  ')}`);
  if (problems.some((p) => p.startsWith('exports'))) console.error('Build it first from the repository root (`npm run build`), then pack again.');
  process.exit(1);
}
