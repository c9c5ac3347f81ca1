import { NotificationType, RequestType, RequestType0 } from "vscode-languageclient/node";

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

/** Client → server: the editor displayed an item (Copilot's notification). */
export const didShowCompletion = "textDocument/didShowCompletion";
/** Client → server: part of an item was accepted; `acceptedLength` counts insertText. */
export const didPartiallyAcceptCompletion = "textDocument/didPartiallyAcceptCompletion";
/** The command every inline item carries; the language client runs it on accept. */
export const didAcceptCommand = "ghostfill.didAccept";

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface Tally {
  shown: number;
  accepted: number;
  partial: number;
  acceptanceRate: number | null;
  charsAccepted: number;
  requests: number;
  tokens: number;
  cost: number;
}

/** Client → server: the local stats (nothing leaves the machine). */
export interface StatsResult extends Tally {
  since: string | null;
  served: number;
  latencyMs: Percentiles;
  firstTokenMs: Percentiles;
  backends: (Tally & { backend: string; model: string })[];
  languages: (Tally & { language: string })[];
  days: (Tally & { day: string })[];
  database: string;
  enabled: boolean;
  nextEdits: {
    served: number;
    shown: number;
    accepted: number;
    dismissed: number;
    acceptanceRate: number | null;
  };
  spend: {
    tokensLastHour: number;
    costToday: number;
    maxTokensPerHour: number;
    maxCostPerDay: number;
  };
}
export const stats = new RequestType<{ since?: string }, StatsResult, void>("ghostfill/stats");

/** An LSP command as the server sends it. */
export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}

/** Client → server: the next edits at a position (copilot-language-server's request). */
export interface InlineEditParams {
  textDocument: { uri: string; version: number };
  position: Position;
}

/** Ranges in the version asked about, in order, never overlapping; the command reports a take. */
export interface InlineEdit {
  range: { start: Position; end: Position };
  textDocument: { uri: string; version: number };
  text: string;
  command?: Command;
}

export interface InlineEditResult {
  edits: InlineEdit[];
}
export const inlineEdit = new RequestType<InlineEditParams, InlineEditResult | null, void>(
  "textDocument/copilotInlineEdit",
);

/** Client → server: a next edit is on screen / was turned down (its first edit's command). */
export interface InlineEditFeedbackParams {
  item: { command: Command };
}
export const didShowInlineEdit = new NotificationType<InlineEditFeedbackParams>(
  "textDocument/didShowInlineEdit",
);
export const didDismissInlineEdit = new NotificationType<InlineEditFeedbackParams>(
  "ghostfill/didDismissInlineEdit",
);
