import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  ResponseError,
  State,
  type LanguageClientOptions,
} from "vscode-languageclient/node";
import { Feedback } from "./feedback";
import { InstallFailed } from "./install";
import type { ServerLauncher } from "./launch";
import type { Log } from "./log";
import * as protocol from "./protocol";
import { PythonNotFound } from "./python";
import type { ApiKeyStore } from "./secrets";
import { SECTION, type Settings } from "./settings";
import type { StatusBar } from "./status";

/**
 * Owns the language client's lifecycle. Settings changes reach the running server as
 * `workspace/didChangeConfiguration` (it pulls the section back); only a change of
 * `ghostfill.server.path` or `ghostfill.server.pythonPath` restarts it.
 */
export class ServerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private pending: Promise<void> = Promise.resolve();
  private provider = "";
  private apiKey: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly feedback = new Feedback((method, params) => {
    if (this.client && this.running) void this.client.sendNotification(method, params);
  });

  constructor(
    private readonly log: Log,
    private readonly settings: Settings,
    private readonly launcher: ServerLauncher,
    private readonly keys: ApiKeyStore,
    private readonly status: StatusBar,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      keys.onDidChange(() => void this.sendApiKey()),
      new vscode.Disposable(() => this.feedback.dispose()),
    );
    this.status.setEnabled(this.settings.boolean("completion.enable", true));
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** The language client while it is running (next edits talk to it directly). */
  get languageClient(): LanguageClient | undefined {
    return this.running ? this.client : undefined;
  }

  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  async models(): Promise<protocol.ModelsResult> {
    if (!this.client || !this.running) {
      return { models: [], error: vscode.l10n.t("The ghostfill server is not running.") };
    }
    return this.client.sendRequest(protocol.models);
  }

  /** The local stats (`ghostfill/stats`), for the stats view. */
  async stats(since: string | undefined): Promise<protocol.StatsResult> {
    if (!this.client || !this.running) {
      throw new Error(vscode.l10n.t("The ghostfill server is not running."));
    }
    return this.client.sendRequest(protocol.stats, since ? { since } : {});
  }

  /** Hand the stored key for the current backend to the server (null if there is none). */
  async sendApiKey(): Promise<void> {
    if (!this.client || !this.running) return;
    this.apiKey = await this.keys.get(this.currentProvider());
    await this.client.sendNotification(protocol.setApiKey, { apiKey: this.apiKey ?? null });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.stop();
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(step, step);
    return this.pending;
  }

  private currentProvider(): string {
    return this.settings.string("backend.provider", "offline");
  }

  private async doStart(): Promise<void> {
    this.status.setPhase("starting");
    let executable;
    try {
      const launch = this.settings.launch();
      const installing = setTimeout(() => this.status.setPhase("installing"), 1500);
      try {
        executable = await this.launcher.resolve(launch);
      } finally {
        clearTimeout(installing);
      }
    } catch (err) {
      this.failed(err);
      return;
    }
    this.provider = this.currentProvider();
    this.apiKey = await this.keys.get(this.provider);
    const options: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      outputChannel: this.log,
      traceOutputChannel: this.log,
      initializationOptions: () => ({
        ...this.settings.serverSection(),
        ...(this.apiKey ? { apiKey: this.apiKey } : {}),
      }),
      middleware: {
        ...this.feedback.middleware,
        workspace: {
          configuration: async (params, token, next) => {
            const others = params.items.filter((item) => item.section !== SECTION);
            const answered: unknown[] | ResponseError =
              others.length > 0 ? await next({ items: others }, token) : [];
            if (answered instanceof ResponseError) return answered;
            let j = 0;
            return params.items.map((item) => {
              if (item.section !== SECTION) return answered[j++];
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : null;
              return this.settings.serverSection(scope);
            });
          },
        },
      },
    };
    const client = new LanguageClient("ghostfill", "ghostfill", executable, options);
    this.client = client;
    client.onNotification(protocol.status, (s) => this.status.update(s));
    client.onNotification(protocol.completionReady, (p) => this.onCompletionReady(client, p));
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) {
        this.status.setPhase("stopped", vscode.l10n.t("The server stopped. See the logs."));
      }
    });
    const t0 = Date.now();
    try {
      await client.start();
    } catch (err) {
      this.failed(err);
      return;
    }
    this.status.setPhase("running");
    this.log.info(
      `client running: ${executable.command} ${(executable.args ?? []).join(" ")} (started in ${Date.now() - t0} ms)`,
    );
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.stop(5000);
    } catch (err) {
      this.log.warn(`stopping the server: ${String(err)}`);
    }
  }

  private failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(message);
    this.status.setPhase("stopped", message);
    const known = err instanceof PythonNotFound || err instanceof InstallFailed;
    const openSettings = vscode.l10n.t("Open Settings");
    const showLogs = vscode.l10n.t("Show Logs");
    const text = known
      ? message
      : vscode.l10n.t("ghostfill could not start its server: {0}", message);
    void vscode.window.showErrorMessage(text, openSettings, showLogs).then((choice) => {
      if (choice === openSettings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "ghostfill.server");
      } else if (choice === showLogs) {
        this.log.show();
      }
    });
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (event.affectsConfiguration(`${SECTION}.completion.enable`)) {
      this.status.setEnabled(this.settings.boolean("completion.enable", true));
    }
    if (this.settings.affectsLaunch(event)) {
      this.log.info("server settings changed: restarting the server");
      void this.restart();
      return;
    }
    if (!this.settings.affectsServer(event) || !this.client || !this.running) return;
    void this.client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: this.settings.serverSection() },
    });
    const provider = this.currentProvider();
    if (provider !== this.provider) {
      this.provider = provider;
      void this.sendApiKey();
    }
  }

  /**
   * VS Code keeps showing the suggestion it already has when the provider answers an explicit
   * trigger with a longer one (the old item stays selected), so hide it first; the server
   * answers the new request from its cache in a few milliseconds.
   */
  private async retrigger(): Promise<void> {
    await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
  }

  /** A longer continuation is ready: ask VS Code for inline suggestions again, if still current. */
  private onCompletionReady(client: LanguageClient, p: protocol.CompletionReadyParams): void {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    const cursor = editor?.selection.active;
    const current =
      doc !== undefined &&
      cursor !== undefined &&
      client.code2ProtocolConverter.asUri(doc.uri) === p.uri &&
      doc.version === p.version &&
      cursor.line === p.position.line &&
      cursor.character === p.position.character;
    this.log.debug(
      `completionReady v${p.version} ${p.position.line}:${p.position.character}: ${current ? "re-triggering" : "stale, ignored"}`,
    );
    if (current) void this.retrigger();
  }
}
