// Renders diagrams to SVG and screenshots every SVG to PNG, in one headless Chromium.
//
//   node render-mermaid.mjs OUT_DIR FILE...
//
// A FILE ending in .mmd is rendered with the real `mermaid` library to OUT_DIR/FILE.svg
// (FILE keeps its relative path); a FILE ending in .svg (Graphviz's output) is taken as it
// is. Each SVG is then shown alone on a white page and screenshotted to the same path with
// .png for .svg, to be looked at. Exits 1 if any file fails.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const mermaidJs = require.resolve('mermaid/dist/mermaid.min.js');
const [outDir, ...files] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
const fail = (file, why) => {
  failed += 1;
  console.error(`FAILED  ${file}: ${why}`);
};
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: mermaidJs });
  const svgs = [];
  for (const [i, file] of files.entries()) {
    if (file.endsWith('.svg')) {
      svgs.push(file);
      continue;
    }
    const source = readFileSync(file, 'utf8');
    const result = await page.evaluate(async ([src, id]) => {
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      try {
        const parsed = await mermaid.parse(src);
        const { svg } = await mermaid.render(id, src);
        return { ok: true, type: parsed.diagramType, svg };
      } catch (e) {
        return { ok: false, error: String(e?.message ?? e) };
      }
    }, [source, `diagram${i}`]);
    if (result.ok && result.svg.includes('<svg')) {
      const svg = join(outDir, `${file}.svg`);
      mkdirSync(dirname(svg), { recursive: true });
      writeFileSync(svg, result.svg);
      svgs.push(svg);
      console.log(`ok      ${file} (mermaid ${result.type}, ${result.svg.length} bytes of SVG)`);
    } else {
      fail(file, result.error ?? 'no SVG');
    }
  }
  const shots = await browser.newPage();
  for (const svg of svgs) {
    await shots.setContent(
      `<!doctype html><html><body style="margin:0;background:white">${readFileSync(svg, 'utf8')}</body></html>`);
    // Mermaid sizes its SVG to the page; give it its natural size (the viewBox).
    const size = await shots.evaluate(() => {
      const el = document.querySelector('svg');
      const box = el.viewBox.baseVal;
      const [w, h] = box && box.width ? [box.width, box.height] : [el.getBBox().width, el.getBBox().height];
      el.setAttribute('width', w);
      el.setAttribute('height', h);
      el.style.maxWidth = 'none';
      return { width: Math.ceil(w), height: Math.ceil(h) };
    });
    if (!size.width || !size.height) {
      fail(svg, 'an empty SVG');
      continue;
    }
    await shots.setViewportSize(size);
    const png = svg.replace(/\.svg$/, '.png');
    await (await shots.$('svg')).screenshot({ path: png });
    console.log(`shot    ${png} (${size.width}x${size.height})`);
  }
} finally {
  await browser.close();
}
process.exitCode = failed ? 1 : 0;
