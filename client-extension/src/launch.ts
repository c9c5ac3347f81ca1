import type { Executable } from "vscode-languageclient/node";
import { TransportKind } from "vscode-languageclient/node";
import type { ServerInstaller } from "./install";
import type { Log } from "./log";
import type { PythonFinder } from "./python";
import type { ServerLaunchSettings } from "./settings";

/**
 * Decides how to run the server, in this order:
 * 1. `ghostfill.server.path`: that executable, as is;
 * 2. `ghostfill.server.pythonPath` that can already import ghostfill: `python -m ghostfill`;
 * 3. otherwise the bundled wheel in a private environment made from that Python, or from
 *    python3/python on PATH.
 * vscode-languageclient appends `--stdio` to the arguments.
 */
export class ServerLauncher {
  constructor(
    private readonly finder: PythonFinder,
    private readonly installer: ServerInstaller,
    private readonly log: Log,
  ) {}

  async resolve(launch: ServerLaunchSettings): Promise<Executable> {
    if (launch.path) {
      this.log.info(`server: ghostfill.server.path = ${launch.path}`);
      return stdio(launch.path, ["serve"]);
    }
    const python = await this.finder.find(launch.pythonPath);
    if (launch.pythonPath && python.hasGhostfill) {
      this.log.info(`server: ghostfill installed in ${python.executable}`);
      return stdio(python.executable, ["-m", "ghostfill", "serve"]);
    }
    return stdio(await this.installer.ensure(python), ["serve"]);
  }
}

function stdio(command: string, args: string[]): Executable {
  return { command, args, transport: TransportKind.stdio };
}
