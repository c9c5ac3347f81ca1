// Drive real VS Code (code-server in headless Chromium, via playwright-core) through the
// ghostfill extension: open a Python file from the Explorer, wait for the language client, type,
// time keypress -> ghost text, accept with Tab, save. Prints progress lines and, last,
// `RESULT {json}` for tests/clients/test_vscode.py. Usage: node ghost.js CONFIG.json
//
// CONFIG: { url, playwright, chromium, file, startupTimeoutMs, runs: [{prefix, last}],
//           block: {file, line} | null, apiKey, toggle, pickModel, expectError, screenshot, failureShot }
"use strict";
const { start, launch, openFile } = require("./lib");

const { cfg, say, t0 } = start();
const GHOST = ".ghost-text-decoration, .ghost-text";
const STATUS = '[aria-label^="ghostfill "]';

async function statusLabel(page) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? el.getAttribute("aria-label") : null;
  }, STATUS);
}

async function ghostText(page) {
  return page.evaluate(() => {
    const parts = [];
    for (const el of document.querySelectorAll(".ghost-text-decoration")) parts.push(el.textContent);
    for (const el of document.querySelectorAll(".suggest-preview-text .view-line")) parts.push("\n" + el.textContent);
    return parts.join("").replace(/\u00a0/g, " ");
  });
}

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 5000 });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${title.split(": ")[1]}")`, { timeout: 5000 });
  await page.keyboard.press("Enter");
}

async function waitGhostGone(page) {
  await page.waitForFunction((sel) => !document.querySelector(sel), GHOST, { timeout: 3000 }).catch(() => {});
}

// In-page timestamps: the last keydown (capture phase, before the editor sees it) and the first
// time ghost text is in the DOM after it.
async function instrument(page) {
  await page.evaluate((sel) => {
    const gf = (window.__gf = { key: 0, ghost: 0, lines: 0, timeline: [] });
    document.addEventListener("keydown", () => { gf.key = performance.now(); gf.ghost = 0; }, true);
    new MutationObserver(() => {
      if (gf.key && !gf.ghost && document.querySelector(sel)) gf.ghost = performance.now();
      // How many ghost lines are visible, over time (shows the block growing).
      const lines = document.querySelector(sel) ? 1 + document.querySelectorAll(".suggest-preview-text .view-line").length : 0;
      if (lines !== gf.lines) { gf.lines = lines; gf.timeline.push([Math.round(performance.now() - gf.key), lines]); }
    }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
  }, GHOST);
}

(async () => {
  const result = { runs: [], statusSeen: [], installNotification: false };
  const { browser, page } = await launch(cfg);
  try {
    await openFile(page, cfg, say);

    // The client is running once the status bar item reports a server state.
    const deadline = Date.now() + cfg.startupTimeoutMs;
    let label = null;
    for (;;) {
      label = await statusLabel(page);
      if (label && !result.statusSeen.includes(label)) { result.statusSeen.push(label); say(`status bar: ${label}`); }
      if (!result.installNotification) {
        const toasts = await page.$$eval(".notification-toast", (els) => els.map((e) => e.textContent).join("|"));
        if (/installing the server/i.test(toasts)) { result.installNotification = true; say(`notification: ${toasts.slice(0, 90)}`); }
      }
      if (label === "ghostfill idle") break;
      if (label === "ghostfill error") {
        if (!cfg.expectError) throw new Error("status bar shows an error");
        await page.waitForSelector(".notification-toast", { timeout: 10000 });
        result.notifications = await page.$$eval(".notification-toast .notification-list-item-message",
                                                 (els) => els.map((e) => e.textContent));
        say(`notifications: ${JSON.stringify(result.notifications)}`);
        if (cfg.screenshot) await page.screenshot({ path: cfg.screenshot });
        await browser.close();
        console.log("RESULT " + JSON.stringify(result));
        process.exit(0);
      }
      if (Date.now() > deadline) throw new Error(`client not running after ${cfg.startupTimeoutMs} ms (status ${label})`);
      await page.waitForTimeout(100);
    }
    result.clientReadyMs = Date.now() - t0;
    say("language client running");

    await page.click(".monaco-editor .view-lines");
    if (cfg.apiKey) {
      // "ghostfill: Set API Key" from the command palette; the key goes to SecretStorage.
      await runCommand(page, "ghostfill: Set API Key");
      await page.waitForSelector('.quick-input-widget input[type="password"]', { timeout: 5000 });
      await page.keyboard.type(cfg.apiKey);
      await page.keyboard.press("Enter");
      await page.waitForSelector('.notification-toast:has-text("API key for")', { timeout: 5000 });
      result.apiKeySet = true;
      say("API key set through the command palette");
      await page.waitForTimeout(300);
    }

    await page.keyboard.press("Control+End");
    await instrument(page);
    for (const [i, run] of cfg.runs.entries()) {
      if (i > 0) { await page.keyboard.press("Escape"); await page.keyboard.press("End"); await page.keyboard.press("Enter"); }
      await page.keyboard.type(run.prefix);
      await page.waitForTimeout(400);             // let suggestions for the partial line settle
      await page.keyboard.press("Escape");
      await waitGhostGone(page);
      await page.keyboard.type(run.last);         // the timed keypress
      let explicit = false;
      try {
        await page.waitForSelector(GHOST, { timeout: 5000 });
      } catch {
        explicit = true;                          // the automatic trigger sometimes sends only `completion`: trigger explicitly
        say("no automatic ghost text in 5 s; pressing Alt+Backslash");
        await page.keyboard.press("Alt+Backslash");
        await page.waitForSelector(GHOST, { timeout: 10000 });
      }
      const t = await page.evaluate(() => window.__gf);
      const ms = explicit ? null : Math.round(t.ghost - t.key);
      const ghost = await ghostText(page);
      result.runs.push({ ms, ghost, explicit });
      say(`run ${i}: ghost text ${ms} ms after keypress: ${JSON.stringify(ghost)}`);
      await page.keyboard.press("Tab");
      await page.waitForTimeout(150);
    }

    if (cfg.block) {
      // A block: the first line shows at once; the rest streams in without a keystroke
      // (ghostfill/completionReady -> editor.action.inlineSuggest.trigger).
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+S");
      const row = `.explorer-folders-view .monaco-list-row:has-text("${cfg.block.file}")`;
      await page.click(row);
      await page.waitForSelector(`.tab.active:has-text("${cfg.block.file}")`, { timeout: 20000 });
      await page.click(".editor-instance .monaco-editor .view-lines");
      await page.keyboard.press("Control+End");
      await page.keyboard.type(cfg.block.line);
      await page.waitForTimeout(400);
      await page.keyboard.press("Escape");
      await waitGhostGone(page);
      await page.evaluate(() => { window.__gf.timeline = []; });
      await page.keyboard.press("Enter");
      await page.waitForSelector(GHOST, { timeout: 10000 });
      await page.waitForFunction(() => document.querySelectorAll(".suggest-preview-text .view-line").length >= 2, null,
                                 { timeout: 10000 }).catch(() => {});
      result.blockGhost = await ghostText(page);
      // In-page timeline of visible ghost lines, [ms after Enter, lines]; Playwright's own
      // waiting can lag behind the DOM by hundreds of ms here.
      result.blockTimeline = (await page.evaluate(() => window.__gf.timeline)).filter(([ms]) => ms >= 0);
      say(`block: [ms after Enter, ghost lines]: ${JSON.stringify(result.blockTimeline)}`);
      say(`block: ghost text ${JSON.stringify(result.blockGhost)}`);
      if (cfg.screenshot) { await page.screenshot({ path: cfg.screenshot }); say(`screenshot ${cfg.screenshot}`); }
      await page.keyboard.press("Tab");
      await page.waitForTimeout(150);
    } else if (cfg.screenshot) {
      await page.screenshot({ path: cfg.screenshot });
    }
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+S");
    await page.waitForTimeout(600);
    result.status = await statusLabel(page);
    result.statusText = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, STATUS);
    say(`saved; status bar ${JSON.stringify(result.statusText)}`);

    if (cfg.toggle) {
      // Status bar click -> menu -> "Disable completions": the server hears it without a restart.
      await page.click(STATUS);
      await page.waitForSelector('.quick-input-widget .monaco-list-row:has-text("Disable completions")', { timeout: 5000 });
      result.menu = await page.$$eval(".quick-input-widget .monaco-list-row", (els) => els.map((e) => e.textContent.trim()));
      say(`menu: ${JSON.stringify(result.menu)}`);
      await page.keyboard.type("Disable completions");
      await page.keyboard.press("Enter");
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("aria-label") === "ghostfill disabled",
                                 STATUS, { timeout: 5000 });
      say("status bar: ghostfill disabled");
      await page.click(".monaco-editor .view-lines");   // the status bar click took the focus
      await page.keyboard.press("Control+End");
      await page.keyboard.press("Enter");
      await page.keyboard.type("zz =");
      await page.waitForTimeout(400);
      await page.keyboard.type(" ");
      result.ghostWhileDisabled = await page.waitForSelector(GHOST, { timeout: 1500 }).then(() => true, () => false);
      say(`ghost text while disabled: ${result.ghostWhileDisabled}`);
      await runCommand(page, "ghostfill: Enable/Disable Completions");
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("aria-label") !== "ghostfill disabled",
                                 STATUS, { timeout: 5000 });
      await page.keyboard.type("z");
      result.ghostAfterReenable = await page.waitForSelector(GHOST, { timeout: 5000 }).then(() => true, () => false);
      say(`ghost text after enabling again: ${result.ghostAfterReenable}`);
    }
    if (cfg.pickModel) {
      // "ghostfill: Select Model" lists the backend's models (ghostfill/models) in a quick pick.
      await page.keyboard.press("Escape");
      await runCommand(page, "ghostfill: Select Model");
      const item = `.quick-input-widget .monaco-list-row:has-text("${cfg.pickModel}")`;
      await page.waitForSelector(item, { timeout: 10000 });
      result.models = await page.$$eval(".quick-input-widget .monaco-list-row .label-name",
                                        (els) => els.map((e) => e.textContent.trim()));
      say(`models: ${JSON.stringify(result.models)}`);
      await page.keyboard.type(cfg.pickModel);
      await page.keyboard.press("Enter");
      await page.waitForTimeout(500);
    }
  } catch (err) {
    result.error = String(err && err.message ? err.message.split("\n")[0] : err);
    say(`FAILED: ${result.error}`);
    if (cfg.failureShot) await page.screenshot({ path: cfg.failureShot }).catch(() => {});
  }
  await browser.close();
  console.log("RESULT " + JSON.stringify(result));
  process.exit(result.error ? 1 : 0);
})().catch((err) => { console.error(err); process.exit(2); });
