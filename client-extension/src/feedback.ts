import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";
import * as protocol from "./protocol";

type Send = (method: string, params: object) => void;

/** The suggestion last shown, and how much of it is still ahead of the cursor. */
interface Shown {
  uri: string;
  insertText: string;
  remaining: string;
  item: object;
}

/**
 * Tells the server what happened to its suggestions, as far as VS Code's stable API allows.
 *
 * - accepted: exact. Each item carries the `ghostfill.didAccept` command, which VS Code runs
 *   after inserting the whole suggestion (the language client forwards it to the server).
 * - shown: approximated. The stable API has no "shown" callback, so the first item of an
 *   answer that arrived before its request was cancelled counts as shown.
 * - partially accepted: inferred. "Accept Next Word/Line" has no stable callback either: an edit
 *   at the cursor that inserts two or more characters equal to the start of what remains of
 *   the shown suggestion (but not all of it) is reported as a partial accept.
 */
export class Feedback implements vscode.Disposable {
  private shown: Shown | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly send: Send) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e));
  }

  readonly middleware: Pick<Middleware, "provideInlineCompletionItems"> = {
    provideInlineCompletionItems: async (document, position, context, token, next) => {
      const result = await next(document, position, context, token);
      const items = Array.isArray(result) ? result : (result?.items ?? []);
      const first = items.at(0);
      if (first && !token.isCancellationRequested) this.didShow(document, position, first);
      return result;
    },
  };

  dispose(): void {
    this.subscription.dispose();
  }

  private didShow(
    document: vscode.TextDocument,
    position: vscode.Position,
    item: vscode.InlineCompletionItem,
  ): void {
    const command = item.command;
    if (command?.command !== protocol.didAcceptCommand || typeof item.insertText !== "string") {
      return;
    }
    const start = item.range?.start ?? position;
    const typed = document.getText(new vscode.Range(start, position));
    if (!item.insertText.startsWith(typed)) return;
    const lspItem = {
      insertText: item.insertText,
      command: { title: command.title, command: command.command, arguments: command.arguments },
    };
    this.shown = {
      uri: document.uri.toString(),
      insertText: item.insertText,
      remaining: item.insertText.slice(typed.length),
      item: lspItem,
    };
    this.send(protocol.didShowCompletion, { item: lspItem });
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    const shown = this.shown;
    if (!shown || event.document.uri.toString() !== shown.uri) return;
    const change = event.contentChanges.length === 1 ? event.contentChanges[0] : undefined;
    const text = change && change.rangeLength === 0 ? change.text : "";
    if (!text || !shown.remaining.startsWith(text)) {
      this.shown = undefined; // edited away from the suggestion
      return;
    }
    shown.remaining = shown.remaining.slice(text.length);
    if (text.length >= 2 && shown.remaining.length > 0) {
      const acceptedLength = shown.insertText.length - shown.remaining.length;
      this.send(protocol.didPartiallyAcceptCompletion, { item: shown.item, acceptedLength });
    }
    if (shown.remaining.length === 0) this.shown = undefined;
  }
}
