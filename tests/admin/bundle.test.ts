/**
 * The admin bundles a few of the server's modules (its words, the default slot plan, the judgement
 * of frames) so the two cannot drift; the default briefs are not among them: their prompts would
 * travel to every editor's browser in the plugin's bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_BRIEFS } from '../../plugins/product-gallery/server/src/domain/default-briefs';

const PLUGIN = path.resolve(__dirname, '../../plugins/product-gallery');

test('the admin bundle holds none of the default briefs’ prompts', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(PLUGIN, 'package.json'), 'utf8'));
  // Bundled as scripts/build-admin.mjs does: what the host admin provides stays outside.
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].flatMap((name) => [name, `${name}/*`]);
  const out = await build({
    entryPoints: [path.join(PLUGIN, 'admin/src/index.ts')],
    bundle: true,
    write: false,
    metafile: true,
    outfile: 'index.mjs',
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    external,
    loader: { '.json': 'json', '.svg': 'dataurl', '.png': 'dataurl' },
    logLevel: 'silent',
  });
  const serverModules = Object.keys(out.metafile.inputs).filter((f) => f.includes('server/src/'));
  expect(serverModules.some((f) => f.endsWith('domain/slot-plan.ts'))).toBe(true);
  expect(serverModules.filter((f) => f.endsWith('domain/default-briefs.ts'))).toEqual([]);

  const text = out.outputFiles[0].text;
  // The briefs' words between their placeholders, sentence by sentence, as their source spells them.
  const texts = DEFAULT_BRIEFS.flatMap((b) => b.roles.flatMap((r) => [r.promptTemplate, r.negativePrompt, r.scene, r.style]));
  const phrases = [...new Set(texts.flatMap((t) => (t ?? '').split(/\{\{\w+\}\}|\.\s/)).map((p) => p.trim()))].filter((p) => p.length >= 24);
  expect(phrases.length).toBeGreaterThan(20);
  expect(phrases.filter((p) => text.includes(p))).toEqual([]);
});
