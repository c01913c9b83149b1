// Where the pinned broker lives on disk. The pom is the single source of the Kafka version,
// so bumping it there moves the jars, the CLI and the tests together.
const fs = require('node:fs');
const path = require('node:path');

const KAFKA_TOOL_DIR = path.resolve(__dirname, '..');
const WORKSPACE_ROOT = path.resolve(KAFKA_TOOL_DIR, '..', '..');
const POM_FILE = path.join(KAFKA_TOOL_DIR, 'pom.xml');
const LOG4J_CONFIG_FILE = path.join(KAFKA_TOOL_DIR, 'log4j2.xml');
const RUN_DIR = path.join(KAFKA_TOOL_DIR, '.run');

function readPinnedKafkaVersion(pomText = fs.readFileSync(POM_FILE, 'utf8')) {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pomText);
  if (!match) throw new Error(`${POM_FILE} has no <kafka.version> property`);
  return match[1];
}

const KAFKA_VERSION = readPinnedKafkaVersion();
const DIST_DIR = path.join(KAFKA_TOOL_DIR, '.dist', KAFKA_VERSION);
const LIBS_DIR = path.join(DIST_DIR, 'libs');

module.exports = {
  KAFKA_TOOL_DIR,
  WORKSPACE_ROOT,
  POM_FILE,
  LOG4J_CONFIG_FILE,
  RUN_DIR,
  KAFKA_VERSION,
  DIST_DIR,
  LIBS_DIR,
  readPinnedKafkaVersion,
};
