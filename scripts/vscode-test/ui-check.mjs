// Browser check of what a user sees: installs the packaged VSIX into code-server, opens a fixture
// workspace in headless Debian chromium, runs "Backend Reviewer: Review Current File" from the Command
// Palette against a loopback model server, and checks the squiggles, the Problems panel, the quick-fix
// menu and the applied fix. Takes screenshots (1280x800) into the run folder; with --update-screenshots
// it copies them to media/screenshots/ (the README's images), and only when every check passed, so a
// failing run never replaces good screenshots and a plain test run leaves the work tree clean.
// usage: node scripts/vscode-test/ui-check.mjs [--keep] [--vsix FILE] [--update-screenshots]
//        (without --vsix: runs the production build and vsce package of this repository)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
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

const SHOTS_DIR = path.join(REPO_ROOT, 'media', 'screenshots');
const COMMAND_TITLE = 'Backend Reviewer: Review Current File';
const FIX_TITLE = 'Apply suggested fix';
const FILE = 'src/orders.ts';
const { values: cli } = util.parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    vsix: { type: 'string' },
    'update-screenshots': { type: 'boolean', default: false },
  },
});

// What the scripted model answers for src/orders.ts (test/fixtures/integration/workspace/src/orders.ts).
const SQL_LINE = `  const rows = await db.query("SELECT * FROM orders WHERE id = '" + id + "'");`;
const FIXED_SQL_LINE = `  const rows = await db.query('SELECT * FROM orders WHERE id = $1', [id]);`;
/** What the Problems panel shows for FINDINGS: the offline rules that report the same problems. */
const SHOWN_TITLES = ['SQL built from values and executed', 'Outbound HTTP request without a timeout'];
const FINDINGS = [
  {
    title: 'SQL built by string concatenation',
    severity: 'critical',
    category: 'security',
    startLine: 4,
    endLine: 4,
    quote: SQL_LINE.trim(),
    message: 'The order id is pasted into the SQL text, so a crafted id can read or change any table.',
    suggestion: 'Pass the id as a bound parameter.',
    fix: { startLine: 4, endLine: 4, replacement: FIXED_SQL_LINE },
    confidence: 0.95,
  },
  {
    title: 'Invoice fetch has no timeout',
    severity: 'medium',
    category: 'reliability',
    startLine: 9,
    endLine: 9,
    quote: 'const response = await fetch(url);',
    message: 'A slow invoice service holds this request open until the platform gives up.',
    suggestion: 'Give the call a deadline with AbortSignal.timeout and handle the timeout.',
    fix: null,
    confidence: 0.8,
  },
];

function packageVsix(runDir) {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs'), '--production'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const vsix = path.join(runDir, 'backend-principal-reviewer.vsix');
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', vsix], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return vsix;
}

/** The loopback model server from test/support, bundled for plain Node. */
async function loadModelServer(runDir) {
  const outfile = path.join(runDir, 'modelServer.cjs');
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'test', 'support', 'modelServer.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

async function runCommandFromPalette(page, title) {
  // Contributed commands reach the palette a few seconds after the window renders: retry.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(title);
    try {
      await row.first().waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt >= 20) throw new Error(`"${title}" never appeared in the Command Palette: ${error.message}`);
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  await row.first().click();
}

async function openFile(page, relativePath) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(relativePath);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relativePath) })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-line', { hasText: 'getOrder' }).first().waitFor({ timeout: 15_000 });
}

/** Puts the cursor at line:column (1-based); quick fixes are offered for diagnostics under the cursor. */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
}

async function main() {
  const tools = ensureTools();
  const runDir = makeRunDir('ui');
  const vsix = cli.vsix ? path.resolve(cli.vsix) : packageVsix(runDir);
  if (!fs.existsSync(vsix)) throw new Error(`--vsix ${vsix}: no such file`);
  const { startModelServer, findingsAnswer } = await loadModelServer(runDir);
  const modelServer = await startModelServer({
    handler: () => findingsAnswer(FINDINGS, 'Two problems in the order service.'),
  });
  const workspace = prepareWorkspace(
    path.join(REPO_ROOT, 'test', 'fixtures', 'integration', 'workspace'),
    path.join(runDir, 'workspace'),
  );
  // User settings the way a user would set them for a local OpenAI-compatible server.
  const userData = path.join(runDir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  let server;
  let browser;
  let ok = false;
  const shotsDir = path.join(runDir, 'screenshots');
  fs.mkdirSync(shotsDir, { recursive: true });
  const failShot = path.join(runDir, 'failure.png');
  try {
    server = await startCodeServer(tools, {
      runDir,
      userDataDir: userData,
      installExtensions: [vsix],
      settings: {
        'backendReviewer.provider': 'openai-compatible',
        'backendReviewer.openai.baseUrl': modelServer.url,
        'backendReviewer.openai.model': 'test-model',
        'editor.fontSize': 14,
        'window.commandCenter': false,
        'workbench.colorTheme': 'Default Dark Modern',
        // The Chat view would take a third of the window in the screenshots.
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
    });
    browser = await launchBrowser(tools, runDir);
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    log('workbench ready');
    await openFile(page, FILE);
    log(`${FILE} open`);

    await runCommandFromPalette(page, COMMAND_TITLE);
    log(`ran "${COMMAND_TITLE}"`);
    // The offline checks already squiggle on open; wait for the model review's outcome notification.
    await page
      .locator('.notifications-toasts', { hasText: /Backend Reviewer \(Pragmatic\): \d+ findings?/ })
      .first()
      .waitFor({ timeout: 60_000 });
    if (modelServer.chatRequests().length !== 1)
      throw new Error(`expected one request to the model server, got ${modelServer.chatRequests().length}`);
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 15_000 });
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 15_000 });
    log('review finished; error and warning squiggles visible');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotsDir, 'review-squiggles.png') });

    // The outcome notification's own button opens the Problems panel (and closes the notification).
    await page.locator('.notifications-toasts').getByRole('button', { name: 'Show Problems' }).first().click();
    const problems = page.locator('.markers-panel');
    // The offline checks report both problems too: each is ONE row (issue 16), under the offline rule's
    // title, its source naming both origins.
    for (const title of SHOWN_TITLES) {
      await problems.getByText(title).first().waitFor({ timeout: 15_000 });
      const rows = await problems.locator('.monaco-list-row', { hasText: title }).count();
      if (rows !== 1) throw new Error(`expected one Problems row for "${title}", found ${rows}`);
    }
    for (const finding of FINDINGS) {
      if ((await problems.getByText(finding.title).count()) !== 0)
        throw new Error(`"${finding.title}" is listed besides the offline finding of the same problem`);
    }
    await problems.getByText('offline + Pragmatic').first().waitFor({ timeout: 5_000 });
    log('Problems panel lists both problems once each');
    await page.screenshot({ path: path.join(shotsDir, 'problems-panel.png') });

    await page.locator('.monaco-editor .view-lines').first().click();
    // Inside the quoted code of the SQL finding (its diagnostic starts at column 3).
    await goTo(page, 4, 20);
    const menu = page.locator('.action-widget');
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await menu.getByText(FIX_TITLE).first().waitFor({ timeout: 3_000 });
        break;
      } catch (error) {
        if (attempt >= 4) throw new Error(`the quick-fix menu never offered "${FIX_TITLE}": ${error.message}`);
      }
      await page.keyboard.press('Escape');
    }
    log(`quick-fix menu offers "${FIX_TITLE}"`);
    await page.screenshot({ path: path.join(shotsDir, 'quick-fix-menu.png') });

    await menu.getByText(FIX_TITLE).first().click();
    await page
      .locator('.monaco-editor .view-line', { hasText: "WHERE id = $1', [id]" })
      .first()
      .waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('.monaco-editor .squiggly-error').length === 0,
      undefined,
      { timeout: 15_000 },
    );
    await problems.getByText(SHOWN_TITLES[0]).first().waitFor({ state: 'detached', timeout: 15_000 });
    log('fix applied: parameterised query in the editor, error squiggle and its problem gone');
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(shotsDir, 'fix-applied.png') });

    // The settings as the Settings editor shows them (issue 16, point 11): titled sections, Provider
    // first, enum values by their labels.
    await runCommandFromPalette(page, 'Preferences: Open Settings (UI)');
    const settings = page.locator('.settings-editor');
    await settings.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    await page.keyboard.type('@ext:backend-principal.backend-principal-reviewer');
    const titleTexts = () =>
      settings
        .locator('.setting-item-title')
        .evaluateAll((nodes) => nodes.map((node) => node.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
    await settings.locator('.setting-item-label', { hasText: 'Provider' }).first().waitFor({ timeout: 15_000 });
    const first = (await titleTexts())[0] ?? '';
    log(`first setting: ${first}`);
    if (!/Provider$/.test(first)) throw new Error(`the first setting is not Provider: ${first}`);
    const providerValue = await settings.locator('.setting-item-contents').first().textContent();
    if (!/OpenAI-compatible endpoint/.test(providerValue ?? ''))
      throw new Error(`the provider's value is not shown by its label: ${providerValue}`);
    // The table of contents lists the extension's sections by their titles.
    for (const title of ['Model', 'OpenAI-Compatible Endpoint', 'VS Code Language Model', 'Review', 'Offline Checks'])
      await settings
        .getByRole('treeitem', { name: new RegExp(`^${title}`) })
        .first()
        .waitFor({ timeout: 5_000 });
    log('Settings editor: titled sections, Provider first, enum values by label');
    await page.screenshot({ path: path.join(shotsDir, 'settings.png') });
    ok = true;
  } catch (error) {
    log(`FAILED: ${error.message}`);
    const page = browser?.pages()[0];
    if (page)
      await page.screenshot({ path: failShot }).catch((shotError) => log(`screenshot failed: ${shotError.message}`));
    if (server) console.log(`--- code-server log\n${tail(server.logFile, 30)}`);
    log(`screenshot of the failure: ${failShot}`);
  } finally {
    await browser?.close().catch((error) => log(`closing chromium: ${error.message}`));
    await server?.stop();
    await modelServer.close();
  }
  if (ok && cli['update-screenshots']) {
    fs.mkdirSync(SHOTS_DIR, { recursive: true });
    for (const name of fs.readdirSync(shotsDir)) fs.copyFileSync(path.join(shotsDir, name), path.join(SHOTS_DIR, name));
    log(`screenshots saved to ${path.relative(REPO_ROOT, SHOTS_DIR)}/`);
  }
  if (ok && !cli.keep) fs.rmSync(runDir, { recursive: true, force: true });
  else log(`run folder kept: ${runDir}`);
  log(ok ? 'UI CHECK PASS' : 'UI CHECK FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(2);
});
