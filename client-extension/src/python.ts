import { execFile } from "node:child_process";
import * as vscode from "vscode";
import type { Log } from "./log";

export const MIN_PYTHON: readonly [number, number] = [3, 11];

export interface Interpreter {
  /** What was run (as configured or found on PATH). */
  readonly command: string;
  /** sys.executable */
  readonly executable: string;
  readonly version: readonly number[];
  /** Whether `import ghostfill` works in this interpreter. */
  readonly hasGhostfill: boolean;
}

/** Raised when no usable interpreter exists; its message is shown to the user as is. */
export class PythonNotFound extends Error {}

const PROBE = [
  "import sys, importlib.util",
  "print(sys.executable)",
  "print('.'.join(map(str, sys.version_info[:3])))",
  "print(importlib.util.find_spec('ghostfill') is not None)",
].join("; ");

/** Finds a Python >= 3.11: the configured one, else python3/python/python3.1x on PATH. */
export class PythonFinder {
  constructor(private readonly log: Log) {}

  async find(configured: string): Promise<Interpreter> {
    const candidates = configured
      ? [configured]
      : process.platform === "win32"
        ? ["python", "py"]
        : ["python3", "python", "python3.13", "python3.12", "python3.11"];
    const rejected: string[] = [];
    for (const command of candidates) {
      const found = await this.probe(command);
      if (!found) {
        rejected.push(vscode.l10n.t("{0}: not found", command));
        continue;
      }
      if (isAtLeast(found.version, MIN_PYTHON)) {
        this.log.info(`python: ${found.executable} ${found.version.join(".")}`);
        return found;
      }
      rejected.push(vscode.l10n.t("{0}: Python {1}", command, found.version.join(".")));
    }
    const need = MIN_PYTHON.join(".");
    const detail = rejected.join("; ");
    throw new PythonNotFound(
      configured
        ? vscode.l10n.t(
            "ghostfill needs Python {0} or newer, but ghostfill.server.pythonPath is unusable ({1}).",
            need,
            detail,
          )
        : vscode.l10n.t(
            "ghostfill needs Python {0} or newer to run its server ({1}). Install it, or set ghostfill.server.pythonPath.",
            need,
            detail,
          ),
    );
  }

  private probe(command: string): Promise<Interpreter | undefined> {
    return new Promise((resolve) => {
      execFile(command, ["-I", "-c", PROBE], { timeout: 15000 }, (err, stdout) => {
        if (err) {
          this.log.debug(`python probe ${command}: ${err.message}`);
          resolve(undefined);
          return;
        }
        const [executable, version, has] = stdout.trim().split(/\r?\n/);
        if (!executable || !version) {
          resolve(undefined);
          return;
        }
        resolve({
          command,
          executable,
          version: version.split(".").map(Number),
          hasGhostfill: has === "True",
        });
      });
    });
  }
}

export function isAtLeast(version: readonly number[], min: readonly number[]): boolean {
  for (const [i, m] of min.entries()) {
    const v = version[i] ?? 0;
    if (v !== m) return v > m;
  }
  return true;
}
