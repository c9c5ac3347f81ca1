import { NotificationType, RequestType0 } from "vscode-languageclient/node";

/** ghostfill's own messages on top of LSP. */

export interface Position {
  line: number;
  character: number;
}

/** Server → client: a longer continuation is cached; re-trigger inline suggest to show it. */
export interface CompletionReadyParams {
  uri: string;
  version: number;
  position: Position;
}
export const completionReady = new NotificationType<CompletionReadyParams>(
  "ghostfill/completionReady",
);

export type ServerState = "idle" | "busy" | "error" | "offline";

/** Server → client: what the status bar shows. */
export interface StatusParams {
  state: ServerState;
  backend: string;
  model: string;
  latencyMs: number | null;
  message: string | null;
}
export const status = new NotificationType<StatusParams>("ghostfill/status");

/** Client → server: a key from SecretStorage, or null to forget it. */
export interface SetApiKeyParams {
  apiKey: string | null;
}
export const setApiKey = new NotificationType<SetApiKeyParams>("ghostfill/setApiKey");

/** Client → server: the configured backend's model list. */
export interface ModelsResult {
  models: string[];
  error: string | null;
}
export const models = new RequestType0<ModelsResult, void>("ghostfill/models");
