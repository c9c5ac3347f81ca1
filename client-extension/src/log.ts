import * as vscode from "vscode";

const REDACTED = "<redacted>";

/**
 * The "ghostfill" log channel (LogOutputChannel levels), which also receives the language
 * client's output and protocol trace. Registered secrets are replaced before anything is
 * written, so an API key sent at initialize or in `ghostfill/setApiKey` never reaches the log,
 * even with the log level set to Trace.
 */
export class Log implements vscode.LogOutputChannel {
  private readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor(name = "ghostfill") {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  /** Never write `secret` to the log from now on. */
  addSecret(secret: string | null | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out;
  }

  get name(): string {
    return this.channel.name;
  }
  get logLevel(): vscode.LogLevel {
    return this.channel.logLevel;
  }
  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel.onDidChangeLogLevel;
  }
  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.redact(message), ...this.redactArgs(args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.redact(message), ...this.redactArgs(args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.redact(message), ...this.redactArgs(args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.redact(message), ...this.redactArgs(args));
  }
  error(error: string | Error, ...args: unknown[]): void {
    const text = typeof error === "string" ? error : (error.stack ?? error.message);
    this.channel.error(this.redact(text), ...this.redactArgs(args));
  }
  append(value: string): void {
    this.channel.append(this.redact(value));
  }
  appendLine(value: string): void {
    this.channel.appendLine(this.redact(value));
  }
  replace(value: string): void {
    this.channel.replace(this.redact(value));
  }
  clear(): void {
    this.channel.clear();
  }
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === "boolean" || columnOrPreserveFocus === undefined) {
      this.channel.show(columnOrPreserveFocus);
    } else {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- part of the interface
      this.channel.show(columnOrPreserveFocus, preserveFocus);
    }
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.channel.dispose();
  }

  private redactArgs(args: unknown[]): unknown[] {
    return args.map((arg) => {
      if (typeof arg === "string") return this.redact(arg);
      if (arg instanceof Error) return this.redact(arg.stack ?? arg.message);
      if (arg !== null && typeof arg === "object") {
        try {
          return this.redact(JSON.stringify(arg));
        } catch {
          return "[unserializable]";
        }
      }
      return arg;
    });
  }
}
