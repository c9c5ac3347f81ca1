// Drive real VS Code (code-server in headless Chromium, via playwright-core) through the
// ghostfill extension's next-edit decorations: rename one occurrence of a parameter, see the
// others proposed (old name struck, new name after it), Tab applies; rename one far from the
// others, see the jump hint, Tab jumps, Tab applies; rename again and Esc dismisses. Prints
// progress lines and, last, `RESULT {json}` for tests/clients/test_vscode_nextedit.py.
// Usage: node nextedit.js CONFIG.json
//
// CONFIG: { url, playwright, chromium, file, path, startupTimeoutMs, screenshot, failureShot }
"use strict";
const fs = require("fs");
const { start, launch, openFile } = require("./lib");

const { cfg, say } = start();
const STATUS = '[aria-label^="ghostfill "]';
const JUMP = "jump to the next edit";

// What the decorations put on screen: text after an edit (the `after` content of a span, as
// CSS or as injected text), the struck-through text, the jump hint.
async function decorations(page) {
  return page.evaluate((jump) => {
    const out = { inserted: [], struck: [], hints: [] };
    for (const el of document.querySelectorAll(".monaco-editor .view-lines .view-line span span")) {
      const after = getComputedStyle(el, "::after").content;
      const text = after && after !== "none" && after !== "normal" ? JSON.parse(after) : "";
      if (text) (text.includes(jump) ? out.hints : out.inserted).push(text.replace(/\u00a0/g, " "));
      if (getComputedStyle(el).textDecorationLine.includes("line-through") && el.textContent) {
        out.struck.push(el.textContent);
      }
    }
    return out;
  }, JUMP);
}

async function waitFor(page, what, pred, timeout = 8000) {
  const start = Date.now();
  for (;;) {
    const d = await decorations(page);
    if (pred(d)) return { ...d, ms: Date.now() - start };
    if (Date.now() - start > timeout) throw new Error(`timeout waiting for ${what}: ${JSON.stringify(d)}`);
    await page.waitForTimeout(20);
  }
}

async function cursorLine(page) {
  const text = await page.evaluate(() =>
    [...document.querySelectorAll(".statusbar-item")].map((e) => e.textContent).find((t) => /Ln \d+, Col/.test(t)) ?? "");
  const m = /Ln (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

// Save, wait for the tab to lose its unsaved mark, read the file back.
async function save(page) {
  await page.waitForTimeout(100); // let the last key land first
  await page.keyboard.press("Control+S");
  await page.waitForFunction(() => !document.querySelector(".tab.active.dirty"), null, { timeout: 10000 });
  await page.waitForTimeout(100);
  return fs.readFileSync(cfg.path, "utf8");
}

// Save until the file holds `expected` (an applied edit lands a moment after its decorations
// go), at most `timeout` ms; the last text read either way: the test compares it.
async function saveUntil(page, expected, timeout = 5000) {
  const start = Date.now();
  for (;;) {
    const text = await save(page);
    if (text.includes(expected) || Date.now() - start > timeout) return text;
    await page.waitForTimeout(100);
  }
}

const empty = (d) => d.inserted.length === 0 && d.struck.length === 0 && d.hints.length === 0;

(async () => {
  const result = {};
  const { browser, page } = await launch(cfg);
  try {
    await openFile(page, cfg, say);
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("aria-label") === "ghostfill idle",
                               STATUS, { timeout: cfg.startupTimeoutMs });
    say("language client running");
    await page.click(".monaco-editor .view-lines");

    // 1. Near: `count` -> `items` in the signature; the two uses below follow.
    await page.keyboard.press("Control+Home");
    for (let i = 0; i < "def scale(".length; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+Shift+ArrowRight");
    await page.keyboard.type("items");
    const near = await waitFor(page, "the rename's decorations",
                               (d) => d.inserted.length === 2 && d.inserted.every((t) => t === "items"));
    result.near = near;
    say(`near: shown ${near.ms} ms after the last keypress: ${JSON.stringify(near)}`);
    if (cfg.screenshot) await page.screenshot({ path: cfg.screenshot });
    await page.keyboard.press("Tab");
    result.nearAfterTab = await waitFor(page, "the decorations to go", empty);
    result.nearText = await saveUntil(page, "    total = items * factor");
    say("near: applied with Tab");

    // 2. Far: `offset` -> `delta` on the last line; the nearest other use is 8 lines up.
    await page.keyboard.press("Control+End");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("End");
    await page.keyboard.press("Control+Shift+ArrowLeft");
    await page.keyboard.type("delta");
    const far = await waitFor(page, "the jump hint", (d) => d.hints.length === 1 && d.inserted.length === 2);
    result.far = far;
    result.farLineBefore = await cursorLine(page);
    say(`far: shown ${far.ms} ms after the last keypress: ${JSON.stringify(far)}`);
    await page.keyboard.press("Tab");
    result.afterJump = await waitFor(page, "the hint to go", (d) => d.hints.length === 0 && d.inserted.length === 2);
    await page.waitForTimeout(100);
    result.farLineAfterJump = await cursorLine(page);
    say(`far: Tab jumped from line ${result.farLineBefore} to line ${result.farLineAfterJump}`);
    await page.keyboard.press("Tab");
    result.farAfterTab = await waitFor(page, "the decorations to go", empty);
    result.farText = await saveUntil(page, "def shift(delta, values)");
    say("far: applied with the second Tab");

    // 3. Dismiss: `factor` -> `weight` in the body; Esc turns it down, it does not come back.
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.press("Control+Shift+ArrowLeft");
    await page.keyboard.type("weight");
    result.dismissShown = await waitFor(page, "the third rename", (d) => d.inserted.includes("weight"));
    await page.keyboard.press("Escape");
    result.afterEsc = await waitFor(page, "Esc to clear", empty);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(700);
    result.afterEscMoved = await decorations(page);
    // Tab with nothing shown is a plain Tab again (indents the line: the keybinding fell through).
    await page.keyboard.press("Home");
    await page.keyboard.press("Tab");
    result.dismissText = await saveUntil(page, "        total = items * weight");
    say(`dismissed; after moving: ${JSON.stringify(result.afterEscMoved)}`);
  } catch (err) {
    result.error = String(err && err.message ? err.message.split("\n")[0] : err);
    say(`FAILED: ${result.error}`);
    if (cfg.failureShot) await page.screenshot({ path: cfg.failureShot }).catch(() => {});
  }
  await browser.close();
  console.log("RESULT " + JSON.stringify(result));
  process.exit(result.error ? 1 : 0);
})().catch((err) => { console.error(err); process.exit(2); });
