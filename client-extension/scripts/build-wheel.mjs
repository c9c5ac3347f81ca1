// Build the ghostfill server wheel into server/ so that it ships inside the .vsix.
// Python: $GHOSTFILL_PYTHON, else the repo's .venv, else python3.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extension = resolve(here, "..");
const repo = resolve(extension, "..");
const out = join(extension, "server");
const venvPython = join(
  repo,
  ".venv",
  process.platform === "win32" ? "Scripts/python.exe" : "bin/python",
);
const python = process.env.GHOSTFILL_PYTHON || (existsSync(venvPython) ? venvPython : "python3");

mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) {
  if (name.endsWith(".whl")) rmSync(join(out, name));
}
execFileSync(
  python,
  ["-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--quiet", "-w", out, repo],
  { stdio: "inherit" },
);
const wheels = readdirSync(out).filter((n) => /^ghostfill-.+\.whl$/.test(n));
if (wheels.length !== 1) {
  console.error(`expected one ghostfill wheel in ${out}, found ${wheels.length}`);
  process.exit(1);
}
console.log(
  `server wheel: server/${wheels[0]} (${(statSync(join(out, wheels[0])).size / 1024).toFixed(0)} KB)`,
);
