// Class-data sharing (AppCDS): the broker loads ~5,000 classes at start. A dynamic archive,
// written by the first JVM that exits cleanly and mapped by every later one, saves about a
// third of the start-up CPU, which matters on a two-core machine running tests in parallel.
// The JVM ignores an archive it cannot use (`-Xshare:auto` is the default), so the worst
// case is the old start-up time. HUM_KAFKA_CDS=off turns it off.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { DIST_DIR } = require('./paths.cjs');

const ARCHIVE_DIR = path.join(DIST_DIR, 'cds');
const QUIET = '-Xlog:cds*=off';

function fingerprint(javaVersionText, jars) {
  return crypto
    .createHash('sha256')
    .update(javaVersionText)
    .update(jars.join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * JVM flags for `kind` ("broker", "storage-tool") and `commit(cleanExit)`, to call once the
 * JVM has exited: a fresh archive is kept only if the JVM finished cleanly, because one
 * killed while writing it would be half a file. `create: false` only uses an existing one
 * (for detached brokers, whose exit nobody here sees).
 */
function classDataSharing(kind, { javaVersionText, jars, env = process.env, create = true }) {
  const none = { args: [], creating: false, commit: () => undefined };
  if ((env.HUM_KAFKA_CDS ?? '').toLowerCase() === 'off') return none;
  const archive = path.join(ARCHIVE_DIR, `${kind}-${fingerprint(javaVersionText, jars)}.jsa`);
  if (fs.existsSync(archive)) {
    return {
      args: [QUIET, `-XX:SharedArchiveFile=${archive}`],
      creating: false,
      commit: () => undefined,
    };
  }
  if (!create) return none;
  fs.mkdirSync(ARCHIVE_DIR, { recursive: true });
  const pending = `${archive}.${process.pid}-${crypto.randomBytes(3).toString('hex')}.tmp`;
  return {
    args: [QUIET, `-XX:ArchiveClassesAtExit=${pending}`],
    creating: true,
    commit(cleanExit) {
      try {
        if (cleanExit && fs.statSync(pending, { throwIfNoEntry: false })?.size > 0) {
          fs.renameSync(pending, archive);
        }
      } finally {
        fs.rmSync(pending, { force: true });
      }
    },
  };
}

module.exports = { classDataSharing };
