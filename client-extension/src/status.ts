import * as vscode from "vscode";
import type { StatusParams } from "./protocol";

type Phase = "starting" | "installing" | "running" | "stopped";

/**
 * The status bar item: idle, busy, error or offline fallback, the backend and the last latency.
 * Clicking it opens the ghostfill menu.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private phase: Phase = "starting";
  private server: StatusParams | undefined;
  private latencyMs: number | null = null;
  private enabled = true;
  private problem: string | null = null;

  constructor(menuCommand: string) {
    this.item = vscode.window.createStatusBarItem(
      "ghostfill.status",
      vscode.StatusBarAlignment.Right,
      100,
    );
    this.item.name = "ghostfill";
    this.item.command = menuCommand;
    this.render();
    this.item.show();
  }

  setPhase(phase: Phase, problem: string | null = null): void {
    this.phase = phase;
    this.problem = problem;
    if (phase !== "running") this.server = undefined;
    this.render();
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.render();
  }

  update(status: StatusParams): void {
    this.phase = "running";
    this.server = status;
    if (status.latencyMs !== null) this.latencyMs = status.latencyMs;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const { text, state, background } = this.describe();
    this.item.text = text;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    this.item.accessibilityInformation = { label: `ghostfill ${state}` };
    const s = this.server;
    const lines = [`**ghostfill**: ${state}`];
    if (s) {
      lines.push("", `${vscode.l10n.t("Backend")}: ${s.backend}`);
      if (s.model) lines.push(`${vscode.l10n.t("Model")}: ${s.model}`);
      if (this.latencyMs !== null) {
        lines.push(`${vscode.l10n.t("Last latency")}: ${this.latencyMs} ms`);
      }
    }
    const message = this.problem ?? s?.message;
    if (message) lines.push("", message);
    lines.push("", vscode.l10n.t("Click for the ghostfill menu"));
    this.item.tooltip = new vscode.MarkdownString(lines.join("  \n"));
  }

  private describe(): { text: string; state: string; background?: string } {
    if (this.phase === "starting") return { text: "$(loading~spin) ghostfill", state: "starting" };
    if (this.phase === "installing") {
      return { text: "$(cloud-download) ghostfill", state: "installing" };
    }
    if (this.phase === "stopped") {
      return {
        text: "$(error) ghostfill",
        state: "error",
        background: "statusBarItem.errorBackground",
      };
    }
    if (!this.enabled) return { text: "$(circle-slash) ghostfill", state: "disabled" };
    const s = this.server;
    const backend = s?.backend || "ghostfill";
    const latency = this.latencyMs !== null ? ` · ${Math.round(this.latencyMs)} ms` : "";
    switch (s?.state) {
      case "busy":
        return { text: `$(loading~spin) ${backend}${latency}`, state: "busy" };
      case "error":
        return {
          text: `$(error) ${backend}`,
          state: "error",
          background: "statusBarItem.errorBackground",
        };
      case "offline":
        if (backend === "offline") return { text: `$(sparkle) offline${latency}`, state: "idle" };
        return {
          text: `$(debug-disconnect) ${backend} → offline`,
          state: "offline",
          background: "statusBarItem.warningBackground",
        };
      default:
        return { text: `$(sparkle) ${backend}${latency}`, state: "idle" };
    }
  }
}
