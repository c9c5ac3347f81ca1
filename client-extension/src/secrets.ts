import * as vscode from "vscode";
import type { Log } from "./log";

const PREFIX = "ghostfill.apiKey.";

/**
 * API keys in the editor's SecretStorage, one per backend preset. They are never written to
 * settings; every key read or stored is registered with the log so it is redacted there.
 */
export class ApiKeyStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((e) => {
      if (e.key.startsWith(PREFIX)) listener();
    });

  async get(provider: string): Promise<string | undefined> {
    const key = await this.secrets.get(PREFIX + provider);
    this.log.addSecret(key);
    return key || undefined;
  }

  async set(provider: string, key: string | null): Promise<void> {
    if (key) {
      this.log.addSecret(key);
      await this.secrets.store(PREFIX + provider, key);
    } else {
      await this.secrets.delete(PREFIX + provider);
    }
  }
}
