import * as vscode from "vscode";
import type { StatsResult, Tally } from "./protocol";

type Fetch = (since: string | undefined) => Promise<StatsResult>;

const DAYS_SHOWN = 30;

/**
 * "ghostfill: Show Stats": a webview over the server's local stats (`ghostfill/stats`). The
 * page is rendered here from the numbers (no scripts, no remote content: nothing leaves the
 * machine); running the command again refreshes it.
 */
export class StatsView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly fetch: Fetch) {}

  async show(): Promise<void> {
    let data: StatsResult;
    try {
      data = await this.fetch(`${DAYS_SHOWN}d`);
    } catch (err) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          "ghostfill: no stats ({0})",
          err instanceof Error ? err.message : String(err),
        ),
      );
      return;
    }
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        "ghostfill.stats",
        vscode.l10n.t("ghostfill stats"),
        vscode.ViewColumn.Active,
        { enableScripts: false, enableCommandUris: false },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.webview.html = render(data);
    this.panel.reveal();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pct(rate: number | null): string {
  return rate === null ? "–" : `${Math.round(rate * 100)}%`;
}

function ms(value: number | null): string {
  return value === null ? "–" : `${Math.round(value)} ms`;
}

function money(value: number): string {
  return `$${value.toFixed(4)}`;
}

/** Bars per day for the given series, as inline SVG. */
function chart(days: (Tally & { day: string })[], series: [keyof Tally, string][]): string {
  const width = 640;
  const height = 140;
  const slot = days.length ? width / days.length : width;
  const bar = Math.max((slot - 4) / series.length, 1);
  let max = 1;
  for (const d of days) for (const [key] of series) max = Math.max(max, Number(d[key]) || 0);
  const bars = days
    .map((d, i) =>
      series
        .map(([key, colour], j) => {
          const value = Number(d[key]) || 0;
          const h = (value / max) * (height - 20);
          const x = i * slot + 2 + j * bar;
          return `<rect x="${x.toFixed(1)}" y="${(height - 16 - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${esc(d.day)} ${key as string}: ${value}</title></rect>`;
        })
        .join(""),
    )
    .join("");
  const labels = days
    .filter((_, i) => i === 0 || i === days.length - 1 || i % 7 === 0)
    .map((d) => {
      const i = days.indexOf(d);
      return `<text x="${(i * slot + 2).toFixed(1)}" y="${height - 2}" font-size="10" fill="currentColor">${esc(d.day.slice(5))}</text>`;
    })
    .join("");
  const legend = series
    .map(([key, colour]) => `<span style="color:${colour}">■</span> ${esc(key as string)}`)
    .join(" &nbsp; ");
  return `<div class="legend">${legend} (max ${max})</div><svg width="${width}" height="${height}" role="img">${bars}${labels}</svg>`;
}

function table(rows: string[][], head: string[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`);
  return `<table><tr>${th}</tr>${body.join("")}</table>`;
}

export function render(data: StatsResult): string {
  const spend = data.spend;
  const caps = [
    spend.maxTokensPerHour
      ? `${spend.tokensLastHour} of ${spend.maxTokensPerHour} tokens this hour`
      : `${spend.tokensLastHour} tokens this hour (no cap)`,
    spend.maxCostPerDay
      ? `${money(spend.costToday)} of ${money(spend.maxCostPerDay)} today`
      : `${money(spend.costToday)} today (no cap)`,
  ].join(" · ");
  const backends = table(
    data.backends.map((b) => [
      b.backend,
      b.model || "–",
      String(b.requests),
      String(b.tokens),
      money(b.cost),
    ]),
    ["backend", "model", "requests", "tokens (est.)", "cost (est.)"],
  );
  const languages = table(
    data.languages.map((l) => [
      l.language,
      String(l.shown),
      String(l.accepted),
      String(l.partial),
      pct(l.acceptanceRate),
      String(l.charsAccepted),
      String(l.tokens),
      money(l.cost),
    ]),
    ["language", "shown", "accepted", "partial", "rate", "chars", "tokens", "cost"],
  );
  const disabled = data.enabled
    ? ""
    : `<p class="note">${esc(vscode.l10n.t("Recording is off (ghostfill.stats.enable = false)."))}</p>`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
.cards { display: flex; flex-wrap: wrap; gap: 1em; }
.card { border: 1px solid var(--vscode-panel-border); padding: .5em 1em; min-width: 8em; }
.card b { display: block; font-size: 1.6em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
td, th { border-bottom: 1px solid var(--vscode-panel-border); padding: .2em .8em; text-align: left; }
.legend, .note { opacity: .8; margin-top: 1em; }
</style></head><body>
<h2>ghostfill: the last ${DAYS_SHOWN} days</h2>${disabled}
<div class="cards">
<div class="card"><b>${data.shown}</b>shown</div>
<div class="card"><b>${data.accepted}</b>accepted</div>
<div class="card"><b>${data.partial}</b>partially accepted</div>
<div class="card"><b>${pct(data.acceptanceRate)}</b>acceptance rate</div>
<div class="card"><b>${data.charsAccepted}</b>characters accepted</div>
<div class="card"><b>${ms(data.latencyMs.p50)}</b>time to ghost text p50 (p90 ${ms(data.latencyMs.p90)})</div>
<div class="card"><b>${data.tokens}</b>tokens (estimated)</div>
<div class="card"><b>${money(data.cost)}</b>cost (estimated)</div>
</div>
<h3>Next edits</h3>
<div class="cards">
<div class="card"><b>${data.nextEdits.shown}</b>shown</div>
<div class="card"><b>${data.nextEdits.accepted}</b>accepted</div>
<div class="card"><b>${data.nextEdits.dismissed}</b>dismissed</div>
<div class="card"><b>${pct(data.nextEdits.acceptanceRate)}</b>acceptance rate</div>
</div>
<p class="note">${esc(caps)}</p>
<h3>Suggestions per day</h3>${chart(data.days, [
    ["shown", "#4e79a7"],
    ["accepted", "#59a14f"],
    ["partial", "#f28e2b"],
  ])}
<h3>Tokens per day</h3>${chart(data.days, [["tokens", "#b07aa1"]])}
<h3>Backends</h3>${backends}
<h3>Languages</h3>${languages}
<p class="note">Kept only on this machine: ${esc(data.database)}</p>
</body></html>`;
}
