#!/usr/bin/env node
// `npm run quickstart`: the whole system on its embedded defaults, on one machine.
// Installs what is missing (npm ci, broker jars), starts a Kafka broker (KAFKA_BROKERS if set;
// the pinned Apache Kafka with Java otherwise; with Docker, `docker compose up` runs the same
// system), the local Jira / ServiceNow fakes, every hum service on embedded PGlite, publishes
// the sample reports in examples/, and prints where to look. Ctrl-C stops everything.
//
//   npm run quickstart            keep .hum-data/ between runs
//   npm run quickstart -- --reset start from nothing
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.join(root, '.hum-data');
const logDir = path.join(dataDir, 'logs');
const args = new Set(process.argv.slice(2));
const out = (line) => process.stdout.write(`${line}\n`);
const started = [];
let broker;

const PORTS = { gateway: 8080, classifier: 8081, dispatcher: 8082, patcher: 8083, admin: 8084 };
const FAKE_PORTS = { jiraCloud: 8091, jiraDc: 8092, serviceNow: 8093, gitHub: 8094 };
// The sample repository the fake GitHub holds, for the web-portal reports in examples/.
const DEMO_REPOSITORY = { owner: 'bank', name: 'web-portal' };
const DEMO_GITHUB_WEB = 'https://github.example.test';
const KAFKA_PORT = 19092;

function fail(message) {
  process.stderr.write(`quickstart: ${message}\n`);
  void shutdown(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    fail(`Node.js 20.19 or newer is needed (this is ${process.versions.node})`);
}

function installIfMissing() {
  if (existsSync(path.join(root, 'node_modules', '.package-lock.json'))) return;
  out('• installing dependencies (npm ci)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function build() {
  out('• building…');
  execFileSync(process.execPath, [path.join(root, 'tools/scripts/build.mjs')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function startKafka() {
  if (process.env.KAFKA_BROKERS) {
    out(`• Kafka: using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return process.env.KAFKA_BROKERS;
  }
  const harness = require(path.join(root, 'tools/kafka/broker.cjs'));
  out('• Kafka: starting Apache Kafka (KRaft, single node)…');
  harness.ensureJars({ log: (line) => out(`  ${line}`) });
  // Kept in .hum-data so topics and the services' databases stay consistent across runs.
  broker = await harness.startBroker({
    dataDir: path.join(dataDir, 'kafka'),
    port: KAFKA_PORT,
    controllerPort: KAFKA_PORT + 1,
    log: () => undefined,
  });
  return broker.brokers;
}

function logFile(name) {
  mkdirSync(logDir, { recursive: true });
  return createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
}

/** Starts a built entry point and resolves with the first match of `ready` in its output. */
function startProcess(name, entry, argv, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...argv], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = logFile(name);
    let seen = '';
    let done = false;
    const onData = (chunk) => {
      log.write(chunk);
      if (done) return;
      seen += chunk.toString();
      const match = ready.exec(seen);
      if (match) {
        done = true;
        started.push({ name, child });
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (!done)
        reject(
          new Error(
            `${name} exited (${code}) before it was ready; see ${path.relative(root, path.join(logDir, `${name}.log`))}\n${seen.slice(-2000)}`,
          ),
        );
    });
  });
}

async function startFakes(gitHubToken) {
  out('• starting the local Jira Cloud, Jira Data Center, ServiceNow and GitHub fakes…');
  const repos = path.join(dataDir, 'github-repositories.json');
  writeFileSync(
    repos,
    JSON.stringify([
      {
        ...DEMO_REPOSITORY,
        files: {
          'package.json': readFileSync(path.join(root, 'examples/web-portal/package.json'), 'utf8'),
        },
      },
    ]),
  );
  const match = await startProcess(
    'fakes',
    path.join(root, 'dist/libs/testing/src/fakes/main.js'),
    [
      '--jira-cloud-port',
      String(FAKE_PORTS.jiraCloud),
      '--jira-dc-port',
      String(FAKE_PORTS.jiraDc),
      '--servicenow-port',
      String(FAKE_PORTS.serviceNow),
      '--github-port',
      String(FAKE_PORTS.gitHub),
      '--github-repos',
      repos,
    ],
    { HUM_FAKE_GITHUB_TOKEN: gitHubToken },
    /^(\{.*\})$/m,
  );
  return JSON.parse(match[1]);
}

/** The patcher's hosts and rules: pull requests on the fake GitHub for repository findings. */
function patcherConfig(gitHubUrl) {
  const file = path.join(dataDir, 'patcher.yaml');
  writeFileSync(
    file,
    [
      'version: 1',
      'github:',
      '  - name: github',
      `    apiUrl: ${gitHubUrl}`,
      `    webUrl: ${DEMO_GITHUB_WEB}`,
      '    token: PATCHER_GITHUB_TOKEN',
      `    owners: [${DEMO_REPOSITORY.owner}]`,
      'rules:',
      '  - when: { assetTypes: [repository] }',
      '    use: github-pr',
      '    target: github',
      '',
    ].join('\n'),
  );
  return file;
}

function pipelineKey() {
  const auth = require(path.join(root, 'dist/libs/auth/src/index.js'));
  const key = auth.generateApiKey();
  const file = path.join(dataDir, 'gateway-keys.json');
  const record = {
    id: key.id,
    name: 'quickstart pipeline',
    hash: key.hash,
    permissions: ['scans:publish', 'gate:read'],
    assets: ['*'],
    teams: [],
    createdAt: new Date().toISOString(),
  };
  writeFileSync(file, `${JSON.stringify({ keys: [record] }, null, 2)}\n`, { mode: 0o600 });
  return { token: key.token, file };
}

/** Tickets go to the fake Jira Cloud: a newcomer sees them without a Jira of their own. */
function dispatcherEnv(fakes) {
  return {
    TICKET_PROVIDERS: 'jira-cloud',
    TICKET_ROUTING_FILE: path.join(root, 'apps/ticket-dispatcher/config/routing.quickstart.yaml'),
    JIRA_CLOUD_URL: fakes.jiraCloud.url,
    JIRA_CLOUD_EMAIL: fakes.jiraCloud.email,
    JIRA_CLOUD_API_TOKEN: fakes.jiraCloud.apiToken,
  };
}

/** The services that exist in this build, with their quickstart environment. */
function services(common, context) {
  return [
    {
      name: 'policy-admin',
      entry: 'dist/apps/policy-admin/src/main.js',
      env: {
        ...common,
        PORT: String(PORTS.admin),
        // Written once, on the first start: the quickstart's logs never hold the passwords.
        ADMIN_BOOTSTRAP_CREDENTIALS_FILE: context.adminCredentials,
        // Plain http on loopback: a Secure cookie would not come back from every browser.
        ADMIN_COOKIE_SECURE: 'false',
      },
    },
    {
      name: 'ingest-gateway',
      entry: 'dist/apps/ingest-gateway/src/main.js',
      env: { ...common, PORT: String(PORTS.gateway), GATEWAY_API_KEYS_FILE: context.keysFile },
    },
    {
      name: 'risk-classifier',
      entry: 'dist/apps/risk-classifier/src/main.js',
      env: { ...common, PORT: String(PORTS.classifier), API_KEYS_FILE: context.keysFile },
    },
    {
      name: 'ticket-dispatcher',
      entry: 'dist/apps/ticket-dispatcher/src/main.js',
      env: { ...common, PORT: String(PORTS.dispatcher), ...context.dispatcherEnv },
    },
    {
      name: 'auto-patcher',
      entry: 'dist/apps/auto-patcher/src/main.js',
      env: {
        ...common,
        PORT: String(PORTS.patcher),
        PATCHER_OPERATOR_TOKEN: context.operatorToken,
        PATCHER_CONFIG_FILE: context.patcherConfig,
        PATCHER_GITHUB_TOKEN: context.gitHubToken,
      },
    },
  ];
}

async function publishExamples(gatewayUrl, token) {
  const yaml = require('yaml');
  const entries = yaml.parse(readFileSync(path.join(root, 'examples/assets.yaml'), 'utf8'));
  out('• publishing the sample reports in examples/ through the gateway…');
  for (const entry of entries) {
    const query = new URLSearchParams({
      asset: entry.asset,
      assetType: entry.assetType,
      environment: entry.environment,
      team: entry.team,
      exposure: entry.exposure,
      ...(entry.repository ? { repository: entry.repository } : {}),
    });
    const response = await fetch(`${gatewayUrl}/v1/scans?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: readFileSync(path.join(root, 'examples', entry.file)),
    });
    const body = await response.json();
    if (response.status !== 202) {
      out(`  ✗ ${entry.file}: ${response.status} ${body.detail ?? ''}`);
      continue;
    }
    const counts = Object.entries(body.severityCounts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    out(
      `  ✓ ${entry.file} -> ${entry.asset}: ${body.findings} findings (${counts || 'none'}), format ${body.format}`,
    );
  }
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  out('\n• stopping…');
  for (const { name, child } of started.reverse()) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    out(`  stopped ${name}`);
  }
  if (broker) {
    await broker.stop();
    out('  stopped Kafka');
  }
  process.exit(code);
}

async function main() {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  checkNode();
  if (args.has('--reset')) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  installIfMissing();
  build();
  const brokers = await startKafka();
  const gitHubToken = `ghp_${randomBytes(18).toString('hex')}`;
  const fakes = await startFakes(gitHubToken);
  const opsToken = randomBytes(24).toString('base64url');
  const operatorToken = randomBytes(24).toString('base64url');
  const key = pipelineKey();
  const adminCredentials = path.join(dataDir, 'admin-credentials.txt');
  const firstStart = !existsSync(adminCredentials);
  const common = {
    KAFKA_BROKERS: brokers,
    HUM_OPS_TOKEN: opsToken,
    HUM_DATA_DIR: dataDir,
    HUM_INSTANCE_ID: 'quickstart',
    LOG_LEVEL: 'info',
  };
  const urls = {};
  const context = {
    keysFile: key.file,
    adminCredentials,
    operatorToken,
    gitHubToken,
    patcherConfig: patcherConfig(fakes.gitHub.url),
    dispatcherEnv: dispatcherEnv(fakes),
  };
  for (const service of services(common, context)) {
    const entry = path.join(root, service.entry);
    if (!existsSync(entry)) {
      out(`• ${service.name}: not part of this build yet`);
      continue;
    }
    out(`• starting ${service.name}…`);
    const match = await startProcess(
      service.name,
      entry,
      [],
      service.env,
      /"url":"(http:\/\/[^"]+)"/,
    );
    urls[service.name] = match[1];
  }
  await publishExamples(urls['ingest-gateway'], key.token);
  const jira = fakes.jiraCloud;
  out('');
  out('hum is running.');
  out(`  Ingest gateway      ${urls['ingest-gateway']}   (POST /v1/scans, OpenAPI at /docs)`);
  out(`  Pipeline API key    ${key.token}`);
  out(`  Risk classifier     ${urls['risk-classifier']}   (GET /v1/gate, with the key above)`);
  out(`  Console             ${urls['policy-admin']}/console`);
  if (firstStart && existsSync(adminCredentials)) {
    out('  Console users (shown this once; also in .hum-data/admin-credentials.txt):');
    for (const line of readFileSync(adminCredentials, 'utf8').trim().split('\n'))
      out(`    ${line}`);
  } else {
    out('  Console users       see .hum-data/admin-credentials.txt (written on the first start)');
  }
  out(`  Ticket dispatcher   ${urls['ticket-dispatcher']}`);
  out(`  Auto-patcher        ${urls['auto-patcher']}   operator token ${operatorToken}`);
  out(
    `  GitHub (fake)       ${fakes.gitHub.url}   repository ${DEMO_REPOSITORY.owner}/${DEMO_REPOSITORY.name}, token ${gitHubToken}`,
  );
  out(`  Jira Cloud (fake)   ${jira.url}   user ${jira.email}, API token ${jira.apiToken}`);
  out(`  ServiceNow (fake)   ${fakes.serviceNow.url}   user ${fakes.serviceNow.username}`);
  out(`  Ops token           ${opsToken}   (Authorization: Bearer … for /health and /metrics)`);
  out(`  Kafka               ${brokers}`);
  out(`  Logs                ${path.relative(root, logDir)}/`);
  out('');
  out(
    'Publish your own: npm run hum -- publish report.json --asset my-app --gateway ' +
      urls['ingest-gateway'],
  );
  out('(with HUM_API_KEY set to the key above). Every tier is off: in the console, switch `low`');
  out(
    'to dry-run or on to see plans or pull requests for low-risk fixes. Ctrl-C stops everything.',
  );
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
