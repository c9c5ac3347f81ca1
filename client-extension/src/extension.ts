import * as path from "node:path";
import * as vscode from "vscode";
import { ServerClient } from "./client";
import { COMMANDS, Commands } from "./commands";
import { ServerInstaller } from "./install";
import { ServerLauncher } from "./launch";
import { Log } from "./log";
import { NextEdits } from "./nextedit";
import { PythonFinder } from "./python";
import { ApiKeyStore } from "./secrets";
import { Settings } from "./settings";
import { StatusBar } from "./status";

let server: ServerClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const settings = new Settings(context.extension.packageJSON);
  const keys = new ApiKeyStore(context.secrets, log);
  const status = new StatusBar(COMMANDS.menu);
  const installer = new ServerInstaller(
    path.join(context.extensionPath, "server"),
    context.globalStorageUri.fsPath,
    log,
  );
  const launcher = new ServerLauncher(new PythonFinder(log), installer, log);
  server = new ServerClient(log, settings, launcher, keys, status);
  const client = server;
  const nextEdits = new NextEdits(
    () => client.languageClient,
    () => settings.boolean("nextEdit.enable", true),
    log,
  );
  context.subscriptions.push(
    log,
    status,
    server,
    nextEdits,
    new Commands(server, settings, keys, log),
  );
  log.info(`ghostfill ${(context.extension.packageJSON as { version: string }).version} activated`);
  void server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
