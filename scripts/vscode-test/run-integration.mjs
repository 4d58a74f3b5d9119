// Runs the extension's integration tests (mocha inside the real extension host of code-server = VS Code
// 1.139.1) against the built extension (dist/extension.js) and the test-only language model extension.
// Three sessions, each a fresh code-server with a headless chromium attached (no browser, no extension host):
//   main        trust off, a git fixture workspace: commands, diagnostics, quick fixes, diffs, modes, chat, errors
//   restart     same user data and workspace as main, new code-server: state that must survive a restart
//   restricted  workspace trust on and the folder untrusted: Restricted Mode
// usage: node scripts/vscode-test/run-integration.mjs [--suite main|restart|restricted]... [--grep TEXT] [--keep]
//        [--extension-path DIR]   (the extension under test; default the repository, i.e. dist/extension.js)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import {
  ensureTools,
  launchBrowser,
  log,
  makeRunDir,
  prepareWorkspace,
  REPO_ROOT,
  startCodeServer,
  tail,
} from './harness.mjs';

// A bound for a stuck session, not a speed target: generous, since the main suite runs several minutes on a loaded machine.
const SESSION_TIMEOUT_MS = Number(process.env.BACKEND_REVIEW_IT_TIMEOUT_MS ?? 900_000);
// Each run bundles into its own folder (runs may overlap in one checkout); inside the repository so the
// bundles resolve `mocha` from its node_modules.
const OUT_DIR = path.join(REPO_ROOT, 'out', 'integration', `run-${process.pid}-${Date.now().toString(36)}`);
const SOURCE_DIR = path.join(REPO_ROOT, 'test', 'integration');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'integration');
const SUITES = ['main', 'restart', 'restricted'];

const { values: cli } = util.parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    grep: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'extension-path': { type: 'string', default: REPO_ROOT },
    verbose: { type: 'boolean', default: Boolean(process.env.VERBOSE) },
  },
});
const selected = cli.suite ?? SUITES;
const EXTENSION_PATH = path.resolve(cli['extension-path']);
for (const name of selected) {
  if (!SUITES.includes(name)) throw new Error(`--suite ${name}: unknown suite; expected one of ${SUITES.join(', ')}`);
}

/** Bundles the tests (TS imports of src/ and test/support just work) and the test language model extension. */
async function buildTests() {
  const testFiles = SUITES.flatMap((suite) => {
    const dir = path.join(SOURCE_DIR, suite);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => path.join(dir, f))
      : [];
  });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
  };
  await esbuild.build({
    ...common,
    entryPoints: [path.join(SOURCE_DIR, 'index.ts'), ...testFiles],
    outbase: SOURCE_DIR,
    outdir: OUT_DIR,
    // mocha stays a real CommonJS module from node_modules: the runner and the test files must share it.
    external: ['vscode', 'mocha'],
  });
  const lmOut = path.join(OUT_DIR, 'lm-extension');
  await esbuild.build({
    ...common,
    entryPoints: [path.join(SOURCE_DIR, 'lm-extension', 'src', 'extension.ts')],
    outfile: path.join(lmOut, 'dist', 'extension.js'),
    external: ['vscode'],
  });
  fs.copyFileSync(path.join(SOURCE_DIR, 'lm-extension', 'package.json'), path.join(lmOut, 'package.json'));
  // The workbench honours only one extensionDevelopmentPath from the payload, so the test model
  // extension is installed as a VSIX instead.
  const lmVsix = path.join(OUT_DIR, 'backend-review-test-lm.vsix');
  execFileSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', lmVsix],
    { cwd: lmOut, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { testsMain: path.join(OUT_DIR, 'index'), lmVsix };
}

/**
 * One code-server + browser session that runs the given suite; resolves with the runner's exit code and
 * the port used (a later session reuses it to come back to the same browser-side state).
 * Output of the test runner arrives through `codeAutomationLog`, its exit code through `codeAutomationExit`
 * (both only with --vscode-option enable-smoke-test-driver).
 */
async function runSession(
  tools,
  { suite, runDir, workspace, userDataDir, browserProfile, port, workspaceTrust, built },
) {
  const server = await startCodeServer(tools, {
    runDir,
    userDataDir,
    port,
    workspaceTrust,
    installExtensions: [built.lmVsix],
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    env: {
      BACKEND_REVIEW_IT_SUITE: suite,
      BACKEND_REVIEW_IT_GREP: cli.grep ?? '',
      BACKEND_REVIEW_IT_RUN_DIR: runDir,
    },
  });
  const transcript = fs.createWriteStream(path.join(runDir, `${suite}-output.log`));
  let browser;
  try {
    browser = await launchBrowser(tools, runDir, { profileDir: browserProfile });
    const page = browser.pages()[0] ?? (await browser.newPage());
    let resolveExit;
    const exited = new Promise((resolve) => {
      resolveExit = resolve;
    });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = util.format(...(args ?? []));
      transcript.write(`${line}\n`);
      // Workbench noise that has nothing to do with the tests (no network, no GitHub, no Copilot here).
      // Also the chat-editing state the workbench cannot save while the page is being left.
      if (
        cli.verbose ||
        !/\[(AgentHost|ChatModelSelection|AccountPolicyGate|lifecycle)\]|authentication provider 'github'|open-vsx|marketplace|chat editing session|^Canceled: Canceled/i.test(
          line,
        )
      ) {
        console.log(line);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    if (cli.verbose) page.on('console', (message) => console.log('[browser]', message.text().slice(0, 300)));
    const remote = (p) => `vscode-remote://${server.host}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(EXTENSION_PATH)],
      ['extensionTestsPath', remote(built.testsMain)],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    log(`suite ${suite}: opening ${workspace}`);
    // The default 30 s is not enough when the machine is loaded (8 engineers on 2 cores).
    await page.goto(url, { timeout: 180_000 });
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SESSION_TIMEOUT_MS);
    });
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (code === 'timeout') {
      log(`suite ${suite}: no exit code within ${SESSION_TIMEOUT_MS / 1000} s; screenshot in ${runDir}`);
      await page
        .screenshot({ path: path.join(runDir, `${suite}-timeout.png`) })
        .catch((error) => log(`screenshot failed: ${error.message}`));
      console.log(`--- code-server log (${server.logFile})\n${tail(server.logFile)}`);
      return { code: 1, port: server.port };
    }
    log(`suite ${suite}: extension host exit code ${code}`);
    if (code !== 0) console.log(`--- code-server log (${server.logFile})\n${tail(server.logFile, 20)}`);
    // Leave the page the way a closing window does, so the workbench flushes its state (extension
    // workspaceState lives in the browser's IndexedDB) before the browser goes away.
    page.on('dialog', (dialog) => dialog.accept());
    await page.goto('about:blank', { timeout: 15_000 });
    return { code, port: server.port };
  } finally {
    transcript.end();
    await browser?.close().catch((error) => log(`closing chromium: ${error.message}`));
    await server.stop();
  }
}

async function main() {
  const manifestFile = path.join(EXTENSION_PATH, 'package.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`--extension-path ${EXTENSION_PATH}: no package.json there`);
  const main = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).main;
  if (typeof main !== 'string' || !fs.existsSync(path.resolve(EXTENSION_PATH, main))) {
    throw new Error(`${manifestFile}: its "main" (${main}) does not exist; run \`npm run build\` first`);
  }
  const tools = ensureTools();
  process.on('exit', () => fs.rmSync(OUT_DIR, { recursive: true, force: true }));
  const built = await buildTests();
  const results = [];
  const runDir = makeRunDir('it');
  // main and restart share the workspace, the server's user data and the browser profile (VS Code web keeps
  // extension state in the browser): restart is the same user coming back after a full restart.
  const workspace = prepareWorkspace(path.join(FIXTURES, 'workspace'), path.join(runDir, 'workspace'));
  const sharedUserData = path.join(runDir, 'user-data');
  const sharedBrowserProfile = path.join(runDir, 'chromium-profile');
  let sharedPort;
  for (const suite of selected) {
    const sessionDir = path.join(runDir, suite);
    fs.mkdirSync(sessionDir, { recursive: true });
    const options =
      suite === 'restricted'
        ? {
            workspace: prepareWorkspace(
              path.join(FIXTURES, 'untrusted-workspace'),
              path.join(runDir, 'untrusted-workspace'),
              { git: false },
            ),
            workspaceTrust: true,
          }
        : {
            workspace,
            userDataDir: sharedUserData,
            browserProfile: sharedBrowserProfile,
            port: sharedPort,
            workspaceTrust: false,
          };
    const started = Date.now();
    const { code, port } = await runSession(tools, { suite, runDir: sessionDir, built, ...options });
    if (suite !== 'restricted') sharedPort = port;
    results.push({ suite, code, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  }
  for (const r of results) log(`suite ${r.suite}: ${r.code === 0 ? 'PASS' : 'FAIL'} (${r.seconds} s)`);
  const failed = results.some((r) => r.code !== 0);
  if (failed || cli.keep) log(`run folder kept: ${runDir}`);
  else fs.rmSync(runDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(2);
});
