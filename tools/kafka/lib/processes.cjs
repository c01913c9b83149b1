// Stopping a process we started: ask nicely (SIGTERM lets Kafka flush and deregister), then
// insist once the grace period is over, so a wedged JVM never outlives the test run.

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still counts as alive.
    return error.code === 'EPERM';
  }
}

async function waitForExit(pid, timeoutMs, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/**
 * SIGTERM, wait up to `graceMs`, then SIGKILL. Returns how it ended. `exited` lets callers
 * that hold a ChildProcess await its 'exit' event instead of polling the pid (a zombie child
 * still answers kill(pid, 0) until it is reaped).
 */
async function stopProcess(pid, { graceMs = 15_000, exited } = {}) {
  if (!isAlive(pid)) return 'not-running';
  signal(pid, 'SIGTERM');
  const gone = exited
    ? await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)])
    : await waitForExit(pid, graceMs);
  if (gone) return 'terminated';
  signal(pid, 'SIGKILL');
  if (exited) await exited;
  else await waitForExit(pid, 5_000);
  return 'killed';
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

module.exports = { isAlive, stopProcess, waitForExit };
