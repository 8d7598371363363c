// Checks BPMN files with the bpmn.io tools: each must import into bpmn-moddle without a
// single warning (a bad reference or namespace is only a warning there), then pass
// bpmnlint's recommended rules with no warning at all.
//
//   node tools/bpmn/check.mjs FILE.bpmn...     (after `npm ci` in tools/bpmn)
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2).map((file) => resolve(file));
if (files.length === 0) {
  console.error('usage: node tools/bpmn/check.mjs FILE.bpmn...');
  process.exit(2);
}

let failed = 0;
const moddle = new BpmnModdle();
for (const file of files) {
  const xml = await readFile(file, 'utf8');
  try {
    const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
    if (warnings.length > 0) {
      failed += 1;
      console.error(`${file}: bpmn-moddle: ${warnings.length} warning(s)`);
      for (const warning of warnings) {
        console.error(`  ${warning.message}`);
      }
    } else {
      const process = rootElement.rootElements.find((element) => element.$type === 'bpmn:Process');
      console.log(`${file}: bpmn-moddle: imported \`${process?.name}\` (${process?.flowElements.length} flow elements), no warnings`);
    }
  } catch (error) {
    failed += 1;
    console.error(`${file}: bpmn-moddle: ${error.message}`);
  }
}

// bpmnlint reads .bpmnlintrc from its working directory: run it here, on absolute paths.
const lint = spawnSync(
  process.execPath,
  [join(here, 'node_modules', 'bpmnlint', 'bin', 'bpmnlint.js'), '--max-warnings=0', ...files],
  { cwd: here, stdio: 'inherit' },
);
if (lint.status !== 0) {
  failed += 1;
  console.error(`bpmnlint: failed (exit ${lint.status})`);
} else {
  console.log(`bpmnlint: ${files.length} file(s), recommended rules, no problems`);
}

if (failed > 0) {
  console.error(`${failed} check(s) failed`);
  process.exit(1);
}
console.log(`${files.length} passed, 0 failed`);
