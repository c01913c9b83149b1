// Fetches the pinned broker's runtime classpath from Maven Central once, into
// tools/kafka/.dist/<version>/libs. Later runs only verify the jars, so Maven is needed the
// first time only and Java every time.
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { KafkaSetupError, ALTERNATIVES } = require('./errors.cjs');
const { DIST_DIR, LIBS_DIR, POM_FILE, KAFKA_VERSION } = require('./paths.cjs');

const MIN_JAVA_MAJOR = 17;
const MANIFEST_NAME = '.manifest.json';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MAVEN_TIMEOUT_MS = 10 * 60_000;

/** Jars without which the broker cannot start or cannot log; the rest come transitively. */
function requiredJarPatterns(version = KAFKA_VERSION) {
  return [
    new RegExp(`^kafka_2\\.13-${escapeRegExp(version)}\\.jar$`),
    new RegExp(`^kafka-clients-${escapeRegExp(version)}\\.jar$`),
    /^log4j-core-[\d.]+\.jar$/,
    /^log4j-slf4j-impl-[\d.]+\.jar$/,
    /^slf4j-api-[\d.]+\.jar$/,
  ];
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function javaExecutable(env = process.env) {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

function howToGetJava() {
  return [
    `Install a JDK ${MIN_JAVA_MAJOR}+ (e.g. \`apt-get install openjdk-17-jre-headless\`) and put \`java\` on PATH or set JAVA_HOME,`,
    ...ALTERNATIVES,
  ].join('\n  ');
}

/** `openjdk version "17.0.15"` -> 17; `java version "1.8.0_402"` -> 8. */
function parseJavaMajor(versionOutput) {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function checkJava(env = process.env) {
  const java = javaExecutable(env);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', env, timeout: 30_000 });
  if (result.error) {
    const why =
      result.error.code === 'ENOENT'
        ? `\`${java}\` was not found${env.JAVA_HOME ? ' (from JAVA_HOME)' : ' on PATH'}`
        : `\`${java} -version\` failed: ${result.error.message}`;
    throw new KafkaSetupError(
      `Java ${MIN_JAVA_MAJOR}+ is needed to run the Kafka broker without Docker, but ${why}.\n  ${howToGetJava()}`,
      { cause: result.error },
    );
  }
  const output = `${result.stderr}${result.stdout}`;
  const major = parseJavaMajor(output);
  if (result.status !== 0 || major === undefined) {
    throw new KafkaSetupError(
      `\`${java} -version\` did not report a version (exit ${result.status}): ${output.trim()}\n  ${howToGetJava()}`,
    );
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new KafkaSetupError(
      `Kafka ${KAFKA_VERSION} needs Java ${MIN_JAVA_MAJOR}+, but \`${java}\` is Java ${major}.\n  ${howToGetJava()}`,
    );
  }
  return { java, major, versionText: output.trim() };
}

function checkMaven(env = process.env) {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8', env, timeout: 60_000 });
  if (result.error || result.status !== 0) {
    const why =
      result.error?.code === 'ENOENT'
        ? '`mvn` was not found on PATH'
        : `\`mvn -v\` failed: ${result.error?.message ?? (result.stderr || result.stdout).trim()}`;
    throw new KafkaSetupError(
      [
        `Maven is needed once, to fetch the Kafka ${KAFKA_VERSION} broker jars from Maven Central, but ${why}.`,
        'Install Maven 3.6+ (e.g. `apt-get install maven`) and run `npm run kafka:fetch`,',
        ...ALTERNATIVES,
      ].join('\n  '),
      { cause: result.error },
    );
  }
}

function pomDigest() {
  return crypto.createHash('sha256').update(fs.readFileSync(POM_FILE)).digest('hex');
}

/** The jar list if `libsDir` holds a complete fetch of the current pom, else undefined. */
function verifiedJars(libsDir = LIBS_DIR) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(libsDir, MANIFEST_NAME), 'utf8'));
  } catch {
    // No manifest (or a torn one) means an unfinished or foreign directory: fetch again.
    return undefined;
  }
  if (manifest.pomSha256 !== pomDigest() || !Array.isArray(manifest.jars)) return undefined;
  for (const jar of manifest.jars) {
    const stat = fs.statSync(path.join(libsDir, jar.name), { throwIfNoEntry: false });
    if (!stat || stat.size !== jar.size) return undefined;
  }
  return manifest.jars.map((jar) => jar.name);
}

function writeManifest(libsDir) {
  const names = fs.readdirSync(libsDir).filter((name) => name.endsWith('.jar'));
  const missing = requiredJarPatterns().filter((pattern) => !names.some((n) => pattern.test(n)));
  if (missing.length > 0) {
    throw new KafkaSetupError(
      `Maven finished but the broker classpath in ${libsDir} lacks ${missing.map(String).join(', ')}; check ${POM_FILE}.`,
    );
  }
  const jars = names.sort().map((name) => ({
    name,
    size: fs.statSync(path.join(libsDir, name)).size,
  }));
  fs.writeFileSync(
    path.join(libsDir, MANIFEST_NAME),
    `${JSON.stringify({ kafkaVersion: KAFKA_VERSION, pomSha256: pomDigest(), jars }, null, 2)}\n`,
  );
  return names;
}

function runMaven(outputDir, env) {
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      POM_FILE,
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${outputDir}`,
    ],
    { encoding: 'utf8', env, timeout: MAVEN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-30);
    throw new KafkaSetupError(
      [
        `Maven could not fetch the Kafka ${KAFKA_VERSION} jars (${result.error?.message ?? `exit ${result.status}`}).`,
        'Maven Central must be reachable the first time (or the jars already in ~/.m2).',
        ...ALTERNATIVES,
        '--- mvn output (tail) ---',
        ...output,
      ].join('\n  '),
      { cause: result.error },
    );
  }
}

/**
 * Makes sure Java 17+ is there and the broker jars are on disk; returns where they are.
 * Safe to call from several processes at once: each fetches into its own directory and the
 * first complete one wins the rename.
 */
function ensureJars({ log = () => undefined, env = process.env } = {}) {
  const { java, versionText } = checkJava(env);
  const existing = verifiedJars();
  if (existing)
    return {
      java,
      javaVersionText: versionText,
      libsDir: LIBS_DIR,
      jars: existing,
      fetched: false,
    };

  checkMaven(env);
  log(`Fetching Apache Kafka ${KAFKA_VERSION} broker jars with Maven into ${LIBS_DIR} ...`);
  fs.mkdirSync(DIST_DIR, { recursive: true });
  const staging = fs.mkdtempSync(path.join(DIST_DIR, 'libs.staging-'));
  try {
    runMaven(staging, env);
    writeManifest(staging);
    const raced = verifiedJars();
    if (raced)
      return { java, javaVersionText: versionText, libsDir: LIBS_DIR, jars: raced, fetched: false };
    fs.rmSync(LIBS_DIR, { recursive: true, force: true });
    try {
      fs.renameSync(staging, LIBS_DIR);
    } catch (error) {
      // Another process renamed its complete fetch in first; use that one.
      if (!verifiedJars()) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const jars = verifiedJars();
  if (!jars) throw new KafkaSetupError(`The jars in ${LIBS_DIR} did not verify after fetching.`);
  log(`Fetched ${jars.length} jars.`);
  return { java, javaVersionText: versionText, libsDir: LIBS_DIR, jars, fetched: true };
}

module.exports = {
  ensureJars,
  checkJava,
  checkMaven,
  parseJavaMajor,
  javaExecutable,
  verifiedJars,
  MIN_JAVA_MAJOR,
};
