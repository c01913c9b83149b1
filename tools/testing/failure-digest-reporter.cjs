// Writes each failing test of a project to tmp/test-failures/<project>.txt so that `npm test`
// can reprint them at the very end: CI logs are often read from the tail, and with many
// projects streaming in parallel the failure itself scrolls far out of view.
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const DIGEST_DIR = path.join(__dirname, '../../tmp/test-failures');
const MAX_MESSAGE_CHARS = 1_500;

// Jest colours its messages; the digest is read as plain text.
const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, '');

class FailureDigestReporter {
  onRunComplete(contexts, results) {
    const [context] = contexts;
    const project = context?.config.displayName?.name ?? path.basename(process.cwd());
    const file = path.join(DIGEST_DIR, `${project}.txt`);
    rmSync(file, { force: true });
    const lines = [];
    for (const suite of results.testResults) {
      const file = path.relative(process.cwd(), suite.testFilePath);
      if (suite.testExecError) {
        lines.push(`✖ ${file}: suite failed to run`, indent(suite.testExecError.message));
      }
      for (const test of suite.testResults) {
        if (test.status !== 'failed') continue;
        lines.push(`✖ ${file} › ${test.fullName}`, indent(test.failureMessages.join('\n')));
      }
    }
    if (lines.length === 0) return;
    mkdirSync(DIGEST_DIR, { recursive: true });
    writeFileSync(file, `${lines.join('\n')}\n`);
  }
}

function indent(message) {
  // Frames inside jest itself say nothing about the failure.
  const plain = stripAnsi(message)
    .split('\n')
    .filter((line) => !/^\s+at .*(node_modules|node:internal)/.test(line))
    .join('\n');
  const cut = plain.length > MAX_MESSAGE_CHARS ? `${plain.slice(0, MAX_MESSAGE_CHARS)}\n…` : plain;
  return cut
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

module.exports = FailureDigestReporter;
