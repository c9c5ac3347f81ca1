import * as vscode from "vscode";
import type { ServerClient } from "./client";
import type { Log } from "./log";
import type { ApiKeyStore } from "./secrets";
import type { Settings } from "./settings";
import { StatsView } from "./stats";

export const COMMANDS = {
  toggle: "ghostfill.toggle",
  restart: "ghostfill.restart",
  showLogs: "ghostfill.showLogs",
  setApiKey: "ghostfill.setApiKey",
  selectBackend: "ghostfill.selectBackend",
  selectModel: "ghostfill.selectModel",
  menu: "ghostfill.menu",
  showStats: "ghostfill.showStats",
} as const;

/** Backends that usually run without a key. */
const KEYLESS = new Set(["offline", "ollama", "llamacpp", "vllm", "openai-compatible"]);

/** The user-facing commands and the status bar menu. */
export class Commands implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private readonly statsView: StatsView;

  constructor(
    private readonly server: ServerClient,
    private readonly settings: Settings,
    private readonly keys: ApiKeyStore,
    private readonly log: Log,
  ) {
    const register = (id: string, fn: () => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, fn);
    this.statsView = new StatsView((since) => this.server.stats(since));
    this.disposables = [
      new vscode.Disposable(() => this.statsView.dispose()),
      register(COMMANDS.showStats, () => this.statsView.show()),
      register(COMMANDS.toggle, () => this.toggle()),
      register(COMMANDS.restart, () => this.server.restart()),
      register(COMMANDS.showLogs, () => this.log.show()),
      register(COMMANDS.setApiKey, () => this.setApiKey()),
      register(COMMANDS.selectBackend, () => this.selectBackend()),
      register(COMMANDS.selectModel, () => this.selectModel()),
      register(COMMANDS.menu, () => this.menu()),
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  async toggle(): Promise<void> {
    const enabled = this.settings.boolean("completion.enable", true);
    await this.settings.update("completion.enable", !enabled);
  }

  async setApiKey(): Promise<void> {
    const provider = this.provider();
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t("ghostfill: API key for {0}", provider),
      prompt: vscode.l10n.t(
        "Stored in the editor's secret storage, never in settings. Leave empty to remove the stored key.",
      ),
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    await this.keys.set(provider, key.trim() || null);
    await this.server.sendApiKey();
    void vscode.window.showInformationMessage(
      key.trim()
        ? vscode.l10n.t("ghostfill: API key for {0} saved.", provider)
        : vscode.l10n.t("ghostfill: API key for {0} removed.", provider),
    );
  }

  async selectBackend(): Promise<void> {
    const current = this.provider();
    const picked = await vscode.window.showQuickPick(
      this.settings.allowed("backend.provider").map((name) => ({
        label: name,
        description: name === current ? vscode.l10n.t("current") : undefined,
      })),
      { title: vscode.l10n.t("ghostfill: backend"), placeHolder: current },
    );
    if (!picked || picked.label === current) return;
    await this.settings.update("backend.provider", picked.label);
    if (!KEYLESS.has(picked.label) && !(await this.keys.get(picked.label))) {
      const setKey = vscode.l10n.t("Set API Key");
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          "ghostfill: {0} needs an API key (or its environment variable set before the editor starts).",
          picked.label,
        ),
        setKey,
      );
      if (choice === setKey) await this.setApiKey();
    }
  }

  async selectModel(): Promise<void> {
    const current = this.settings.string("backend.model", "");
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: vscode.l10n.t("ghostfill: listing models"),
      },
      () => this.server.models(),
    );
    const other = vscode.l10n.t("$(edit) Enter a model id…");
    const items: vscode.QuickPickItem[] = result.models.map((m) => ({
      label: m,
      description: m === current ? vscode.l10n.t("current") : undefined,
    }));
    items.push({ label: other, detail: result.error ?? undefined });
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t("ghostfill: model for {0}", this.provider()),
      placeHolder: current || vscode.l10n.t("the preset's default model"),
    });
    if (!picked) return;
    let model: string | undefined = picked.label;
    if (picked.label === other) {
      model = await vscode.window.showInputBox({
        title: vscode.l10n.t("ghostfill: model id"),
        value: current,
      });
    }
    if (model !== undefined && model !== current) {
      await this.settings.update("backend.model", model);
    }
  }

  async menu(): Promise<void> {
    const enabled = this.settings.boolean("completion.enable", true);
    const entries: [string, string][] = [
      [
        enabled
          ? vscode.l10n.t("$(circle-slash) Disable completions")
          : vscode.l10n.t("$(check) Enable completions"),
        COMMANDS.toggle,
      ],
      [vscode.l10n.t("$(server) Select backend…"), COMMANDS.selectBackend],
      [vscode.l10n.t("$(symbol-class) Select model…"), COMMANDS.selectModel],
      [vscode.l10n.t("$(key) Set API key…"), COMMANDS.setApiKey],
      [vscode.l10n.t("$(output) Show logs"), COMMANDS.showLogs],
      [vscode.l10n.t("$(debug-restart) Restart server"), COMMANDS.restart],
    ];
    const picked = await vscode.window.showQuickPick(
      entries.map(([label, command]) => ({ label, command })),
      { title: "ghostfill" },
    );
    if (picked) await vscode.commands.executeCommand(picked.command);
  }

  private provider(): string {
    return this.settings.string("backend.provider", "offline");
  }
}
