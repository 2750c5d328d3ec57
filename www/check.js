// The page's "Check an EPUB" section: runs the engine's EPUB checker on any
// .epub file the reader picks, Quire's or another tool's, in its own
// engine worker, and lists what it finds with file, line and code. The
// worker starts on the first file picked, so a visit that never checks
// anything never pays for it.

import { Engine, EngineCancelled } from './engine.js';
import { describeLoadFailure } from './messages.js';

const input = document.getElementById('check-file');
const status = document.getElementById('check-status');
const list = document.getElementById('check-findings');

/** The checking engine, started on first use. */
let engine = null;

input.addEventListener('change', () => {
  const file = input.files?.[0];
  if (file) {
    checkFile(file);
  }
});

function startEngine() {
  engine = new Engine({
    onReady() {},
    onUnavailable(error) {
      status.textContent = describeLoadFailure(error.reason, error.detail);
      engine = null;
    },
  });
}

async function checkFile(file) {
  if (!engine) {
    startEngine();
  }
  list.replaceChildren();
  status.textContent = `Checking ${file.name}…`;

  let result;
  try {
    const files = [{ key: `check:${file.name}:${file.size}:${file.lastModified}`, path: file.name, file, modified: file.lastModified }];
    result = await engine.request('check', files, {});
  } catch (error) {
    if (!(error instanceof EngineCancelled)) {
      status.textContent = `${file.name} could not be checked: ${error.message}`;
    }
    return;
  }

  showFindings(file.name, result);
}

function showFindings(name, { findings, hasErrors }) {
  if (findings.length === 0) {
    status.textContent = `${name}: no problems found.`;
    return;
  }
  const errors = findings.filter((finding) => finding.severity !== 'warning').length;
  const warnings = findings.length - errors;
  const verdict = hasErrors
    ? 'Stores and EPUBCheck are likely to reject it until the errors are fixed.'
    : 'It has no errors, so stores should accept it.';
  status.textContent = `${name}: ${errors} error(s) and ${warnings} warning(s). ${verdict}`;

  for (const finding of findings) {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = finding.code;
    const place = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}: ` : '';
    item.append(`${place}${finding.severity} `, code, `: ${finding.message}`);
    list.append(item);
  }
}
