// Renders each Mermaid file given on the command line to SVG (next to it) with the real
// `mermaid` library in headless Chromium, one browser for all files. Exits 1 if any fails.
//
// node scripts/render-mermaid.mjs a.mmd b.mmd ...
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mermaidJs = require.resolve('mermaid/dist/mermaid.min.js');
const files = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = 0;
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: mermaidJs });
  for (const [i, file] of files.entries()) {
    const source = readFileSync(file, 'utf8');
    const result = await page.evaluate(async ([src, id]) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', htmlLabels: false });
      try {
        const parsed = await mermaid.parse(src);
        const { svg } = await mermaid.render(id, src);
        return { ok: true, type: parsed.diagramType, svg };
      } catch (e) {
        return { ok: false, error: String(e?.message ?? e) };
      }
    }, [source, `diagram${i}`]);
    if (result.ok && result.svg.includes('<svg')) {
      writeFileSync(file.replace(/\.mmd$/, '.svg'), result.svg);
      console.log(`ok      ${file} (${result.type}, ${result.svg.length} bytes of SVG)`);
    } else {
      failed += 1;
      console.error(`FAILED  ${file}: ${result.error ?? 'no SVG'}`);
    }
  }
} finally {
  await browser.close();
}
process.exitCode = failed ? 1 : 0;
