// What the code-server drivers share: the config file, progress lines, headless Chromium with
// one page, and opening a file of the workspace from the Explorer (Quick Open is flaky there).
"use strict";
const fs = require("fs");

function start() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const t0 = Date.now();
  const say = (m) => console.log(`[${String(Date.now() - t0).padStart(6)} ms] ${m}`);
  return { cfg, say, t0 };
}

async function launch(cfg) {
  const { chromium } = require(cfg.playwright);
  const browser = await chromium.launch({
    executablePath: cfg.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  return { browser, page };
}

async function openFile(page, cfg, say) {
  await page.goto(cfg.url);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  say("workbench DOM present");
  const row = `.explorer-folders-view .monaco-list-row:has-text("${cfg.file}")`;
  await page.waitForSelector(row, { timeout: 60000 });
  await page.click(row);
  await page.waitForSelector(".editor-instance .monaco-editor .view-lines", { timeout: 20000 });
  say(`editor open: ${cfg.file}`);
}

module.exports = { start, launch, openFile };
