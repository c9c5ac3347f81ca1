import * as vscode from "vscode";

export const SECTION = "ghostfill";
const SERVER_GROUP = "server";
/** Read by vscode-languageclient itself, never sent to the server. */
const CLIENT_ONLY = ["server.", "trace."];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SettingsObject = { [key: string]: Json };

interface PropertySchema {
  enum?: string[];
  default?: Json;
}

interface PackageJson {
  contributes?: {
    configuration?: { properties?: Record<string, PropertySchema> }[];
  };
}

export interface ServerLaunchSettings {
  /** A ghostfill executable to run as is. */
  readonly path: string;
  /** A Python interpreter for the server. */
  readonly pythonPath: string;
}

/**
 * Reads the `ghostfill` section the way the server expects it. The keys come from the
 * extension's own package.json (kept in step with server/ghostfill/settings.py by a test), so
 * nothing here has to change when a setting is added. The `server.*` keys are the extension's
 * own and are never sent to the server.
 */
export class Settings {
  private readonly properties: Record<string, PropertySchema>;

  constructor(packageJson: unknown) {
    const sections = (packageJson as PackageJson).contributes?.configuration ?? [];
    this.properties = Object.assign({}, ...sections.map((s) => s.properties ?? {})) as Record<
      string,
      PropertySchema
    >;
  }

  /** The settings object for initializationOptions and `workspace/configuration`. */
  serverSection(scope?: vscode.ConfigurationScope | null): SettingsObject {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    const out: SettingsObject = {};
    for (const key of this.serverKeys()) {
      const value = config.get<Json>(key);
      if (value === undefined) continue;
      setPath(out, key.split("."), JSON.parse(JSON.stringify(value)) as Json);
    }
    return out;
  }

  launch(): ServerLaunchSettings {
    const config = vscode.workspace.getConfiguration(`${SECTION}.${SERVER_GROUP}`);
    return {
      path: (config.get<string>("path") ?? "").trim(),
      pythonPath: (config.get<string>("pythonPath") ?? "").trim(),
    };
  }

  /** The server process itself: how it is started, and whether it relays to the daemon. */
  affectsLaunch(event: vscode.ConfigurationChangeEvent): boolean {
    return (
      event.affectsConfiguration(`${SECTION}.${SERVER_GROUP}`) ||
      event.affectsConfiguration(`${SECTION}.daemon.enable`)
    );
  }

  affectsServer(event: vscode.ConfigurationChangeEvent): boolean {
    return this.serverKeys().some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
  }

  string(key: string, fallback: string): string {
    const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(key);
    return typeof value === "string" ? value : fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(key);
    return typeof value === "boolean" ? value : fallback;
  }

  /** The values a setting allows, from package.json (e.g. the backend presets). */
  allowed(key: string): string[] {
    return this.properties[`${SECTION}.${key}`]?.enum ?? [];
  }

  /** Write where the current value comes from: the workspace if it sets the key, else the user. */
  async update(key: string, value: Json): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const where = config.inspect(key);
    const target =
      where?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : where?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await config.update(key, value, target);
  }

  private serverKeys(): string[] {
    return Object.keys(this.properties)
      .filter((k) => k.startsWith(`${SECTION}.`))
      .map((k) => k.slice(SECTION.length + 1))
      .filter((k) => !CLIENT_ONLY.some((prefix) => k.startsWith(prefix)));
  }
}

function setPath(target: SettingsObject, path: string[], value: Json): void {
  const leaf = path.pop();
  if (leaf === undefined) return;
  let node = target;
  for (const part of path) {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as SettingsObject;
  }
  node[leaf] = value;
}
