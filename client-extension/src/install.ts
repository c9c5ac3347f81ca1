import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Log } from "./log";
import type { Interpreter } from "./python";

const MARKER = "ghostfill-install.json";
const LOCK_STALE_MS = 15 * 60 * 1000;

interface Marker {
  wheel: string;
  sha256: string;
  python: string;
}

/** Raised when the private environment cannot be made; the message is shown to the user. */
export class InstallFailed extends Error {}

/**
 * Installs the server wheel shipped in the .vsix into a private virtual environment under the
 * extension's global storage, once per wheel: later starts find the version marker and reuse it.
 * The wheel's dependencies come from the package index pip is configured with.
 */
export class ServerInstaller {
  constructor(
    private readonly bundleDir: string,
    private readonly storageDir: string,
    private readonly log: Log,
  ) {}

  get venvDir(): string {
    return path.join(this.storageDir, "server-venv");
  }

  /** The ghostfill executable in the private environment, installing it first if needed. */
  async ensure(python: Interpreter): Promise<string> {
    const wheel = await this.findWheel();
    const wanted: Marker = {
      wheel: path.basename(wheel),
      sha256: await sha256(wheel),
      python: python.executable,
    };
    if (await this.isInstalled(wanted)) {
      this.log.info(`server: reusing ${this.venvDir} (${wanted.wheel})`);
      return this.executable();
    }
    await fs.mkdir(this.storageDir, { recursive: true });
    const release = await this.lock();
    try {
      if (await this.isInstalled(wanted)) return this.executable();
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t("ghostfill: installing the server (first start)"),
          cancellable: false,
        },
        (progress) => this.install(python, wheel, wanted, progress),
      );
      return this.executable();
    } finally {
      await release();
    }
  }

  private async install(
    python: Interpreter,
    wheel: string,
    marker: Marker,
    progress: vscode.Progress<{ message?: string }>,
  ): Promise<void> {
    const t0 = Date.now();
    await fs.rm(this.venvDir, { recursive: true, force: true });
    progress.report({ message: vscode.l10n.t("creating a Python environment") });
    await this.run(python.executable, ["-m", "venv", this.venvDir]);
    progress.report({ message: vscode.l10n.t("installing ghostfill and its dependencies") });
    await this.run(this.venvPython(), [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      "--no-input",
      wheel,
    ]);
    await fs.writeFile(path.join(this.venvDir, MARKER), JSON.stringify(marker, null, 2));
    this.log.info(
      `server: installed ${marker.wheel} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }

  private async isInstalled(wanted: Marker): Promise<boolean> {
    try {
      const have = JSON.parse(await fs.readFile(path.join(this.venvDir, MARKER), "utf8")) as Marker;
      await fs.access(this.executable());
      return (
        have.wheel === wanted.wheel &&
        have.sha256 === wanted.sha256 &&
        have.python === wanted.python
      );
    } catch {
      return false;
    }
  }

  private async findWheel(): Promise<string> {
    let names: string[] = [];
    try {
      names = await fs.readdir(this.bundleDir);
    } catch {
      // reported below
    }
    const wheel = names
      .filter((n) => /^ghostfill-.+\.whl$/.test(n))
      .sort()
      .pop();
    if (wheel === undefined) {
      throw new InstallFailed(
        vscode.l10n.t(
          "This ghostfill build has no bundled server. Set ghostfill.server.path to a ghostfill executable.",
        ),
      );
    }
    return path.join(this.bundleDir, wheel);
  }

  private executable(): string {
    return process.platform === "win32"
      ? path.join(this.venvDir, "Scripts", "ghostfill.exe")
      : path.join(this.venvDir, "bin", "ghostfill");
  }

  private venvPython(): string {
    return process.platform === "win32"
      ? path.join(this.venvDir, "Scripts", "python.exe")
      : path.join(this.venvDir, "bin", "python");
  }

  /** A directory lock, so two windows starting at once do not install into the same place. */
  private async lock(): Promise<() => Promise<void>> {
    const dir = `${this.venvDir}.lock`;
    for (;;) {
      try {
        await fs.mkdir(dir);
        return () => fs.rm(dir, { recursive: true, force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const age =
          Date.now() - (await fs.stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > LOCK_STALE_MS) {
          await fs.rm(dir, { recursive: true, force: true });
        } else {
          this.log.info("server: another window is installing; waiting");
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  }

  private run(command: string, args: string[]): Promise<void> {
    this.log.info(`$ ${command} ${args.join(" ")}`);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
      const tail: string[] = [];
      const onData = (chunk: Buffer): void => {
        for (const line of chunk.toString().split(/\r?\n/)) {
          if (!line.trim()) continue;
          this.log.info(`  ${line}`);
          tail.push(line);
          if (tail.length > 5) tail.shift();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("error", (err) => reject(new InstallFailed(err.message)));
      child.on("close", (code) => {
        if (code === 0) resolve();
        else {
          reject(
            new InstallFailed(
              vscode.l10n.t(
                "ghostfill could not install its server ({0} exited with {1}): {2}",
                path.basename(command),
                String(code),
                tail[tail.length - 1] ?? "",
              ),
            ),
          );
        }
      });
    });
  }
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await fs.readFile(file))
    .digest("hex");
}
