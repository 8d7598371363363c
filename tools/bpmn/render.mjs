// Renders a BPMN file to a PNG with bpmn-js in headless Chromium, as a modeler shows it.
//
//   node tools/bpmn/render.mjs FILE.bpmn OUT.png
//
// Needs `npm ci` in tools/bpmn and Debian's `chromium` (`apt-get install -y chromium`),
// or set CHROMIUM to another Chromium binary. Not part of CI (see README.md here).
//
// The page embeds the XML and loads bpmn-js's viewer bundle from node_modules over
// file:// (Chromium blocks fetch() of file:// URLs, a <script src> works). Chromium's
// --screenshot exits 0 even when the import failed, so the page first sets its title to
// OK or FAIL: ..., read back with --dump-dom, and the script fails on anything but OK.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/bpmn/render.mjs FILE.bpmn OUT.png');
  process.exit(2);
}
const chromium = process.env.CHROMIUM ?? 'chromium';
const xml = readFileSync(input, 'utf8');

// The window fits the diagram: the largest right and bottom edges of its shapes.
let [width, height] = [400, 200];
for (const match of xml.matchAll(/<dc:Bounds x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)"/g)) {
  const [x, y, w, h] = match.slice(1).map(Number);
  width = Math.max(width, x + w);
  height = Math.max(height, y + h);
}
if (width + 80 > 4000 || height + 80 > 4000) {
  console.error(`warning: the diagram (${width}x${height}) is larger than 4000 px: the PNG is clipped`);
}
width = Math.min(width + 80, 4000);
height = Math.min(height + 80, 4000);

const dist = join(here, 'node_modules', 'bpmn-js', 'dist');
const asset = (file) => pathToFileURL(join(dist, file)).href;
const page = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>LOADING</title>
<link rel="stylesheet" href="${asset('assets/diagram-js.css')}">
<link rel="stylesheet" href="${asset('assets/bpmn-js.css')}">
<style>html, body, #canvas { margin: 0; width: 100%; height: 100%; background: white; }</style>
</head>
<body>
<div id="canvas"></div>
<script src="${asset('bpmn-viewer.production.min.js')}"></script>
<script>
  const xml = ${JSON.stringify(xml).replace(/</g, '\\u003c')};
  const viewer = new BpmnJS({ container: '#canvas' });
  viewer.importXML(xml).then(({ warnings }) => {
    // The diagram's coordinates are the page's pixels: no zoom, no scroll.
    document.title = warnings.length ? 'FAIL: ' + warnings.map((w) => w.message).join('; ') : 'OK';
  }).catch((error) => { document.title = 'FAIL: ' + error.message; });
</script>
</body>
</html>
`;

const work = mkdtempSync(join(tmpdir(), 'bpmn-render-'));
const html = join(work, 'diagram.html');
writeFileSync(html, page);
const flags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
  `--user-data-dir=${join(work, 'profile')}`, '--hide-scrollbars',
  `--window-size=${width},${height}`, '--virtual-time-budget=5000',
  '--allow-file-access-from-files',
];
const run = (extra) => spawnSync(chromium, [...flags, ...extra, pathToFileURL(html).href], { encoding: 'utf8' });

try {
  const dom = run(['--dump-dom']);
  if (dom.error) {
    throw new Error(`cannot run ${chromium}: ${dom.error.message} (apt-get install -y chromium)`);
  }
  // --dump-dom escapes the title's text (&lt;bpmn:SequenceFlow ...&gt;): unescape it.
  const title = (/<title>(.*?)<\/title>/s.exec(dom.stdout ?? '')?.[1] ?? '(no page)')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
  if (title !== 'OK') {
    throw new Error(`bpmn-js could not show ${input}: ${title}`);
  }
  const shot = run([`--screenshot=${resolve(output)}`]);
  if (shot.status !== 0 || !existsSync(resolve(output))) {
    throw new Error(`chromium --screenshot failed: ${shot.stderr}`);
  }
  console.log(`${input}: bpmn-js imported it (title OK), ${width}x${height} PNG written to ${output}`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
