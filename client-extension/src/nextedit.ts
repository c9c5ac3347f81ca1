import * as vscode from "vscode";
import { ExecuteCommandRequest, type LanguageClient } from "vscode-languageclient/node";
import type { Log } from "./log";
import * as protocol from "./protocol";

/** The context key the Tab and Esc keybindings test: a next edit is on screen. */
export const VISIBLE = "ghostfill.nextEditVisible";
export const NEXT_EDIT_COMMANDS = {
  accept: "ghostfill.acceptNextEdit",
  dismiss: "ghostfill.dismissNextEdit",
} as const;

/** Ask this long after the last edit or cursor move (typing bursts ask once). */
const DEBOUNCE_MS = 75;
/** An edit more than this many lines from the cursor (or off screen) is far: Tab jumps first. */
export const FAR_LINES = 5;
/** The documents the language client syncs (its document selector). */
const SCHEMES = new Set(["file", "untitled"]);

interface Edit {
  range: vscode.Range;
  text: string;
}

/** The prediction on screen: its edits in document order, and the command that reports it. */
interface Suggestion {
  editor: vscode.TextEditor;
  version: number;
  edits: Edit[];
  command: protocol.Command | undefined;
  /** The edit Tab jumps to while the suggestion is far from the cursor. */
  target: Edit | undefined;
}

/**
 * Next-edit suggestions (`textDocument/copilotInlineEdit`) as decorations: VS Code's inline-edit
 * UI is a proposed API that a published extension cannot use.
 *
 * After an edit or a cursor move (debounced) it asks the server about the active editor; the
 * answer's edits show as deleted text struck through and inserted text after it. Tab applies
 * them all (one undo step) and runs the prediction's command, which the server counts as
 * accepted; Esc dismisses it (`ghostfill/didDismissInlineEdit`) and the same prediction is not
 * shown again for that version. When the nearest edit is far from the cursor a hint at the
 * cursor says so and Tab jumps there first. Typing drops the suggestion (it is stale) and asks
 * again. Both keys fall through to their usual meaning when nothing is shown.
 */
export class NextEdits implements vscode.Disposable {
  private shown: Suggestion | undefined;
  private dismissed = "";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  private readonly deleted = vscode.window.createTextEditorDecorationType({
    textDecoration: "line-through",
    backgroundColor: new vscode.ThemeColor("diffEditor.removedTextBackground"),
    overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.deletedForeground"),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly inserted = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor("editorOverviewRuler.addedForeground"),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly hint = vscode.window.createTextEditorDecorationType({});
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly enabled: () => boolean,
    private readonly log: Log,
  ) {
    this.disposables = [
      vscode.commands.registerCommand(NEXT_EDIT_COMMANDS.accept, () => this.accept()),
      vscode.commands.registerCommand(NEXT_EDIT_COMMANDS.dismiss, () => this.dismiss()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onCursor(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor(() => this.clear()),
    ];
  }

  dispose(): void {
    this.clear();
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    for (const type of [this.deleted, this.inserted, this.hint]) type.dispose();
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    if (this.shown?.editor.document === event.document) this.clear(); // stale now
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === event.document) this.schedule(editor);
  }

  private onCursor(editor: vscode.TextEditor): void {
    if (this.shown?.editor === editor) {
      this.render(this.shown); // nearer or farther: the jump hint follows the cursor
    } else if (editor === vscode.window.activeTextEditor) {
      this.schedule(editor);
    }
  }

  private schedule(editor: vscode.TextEditor): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending?.cancel();
    this.timer = setTimeout(() => void this.request(editor), DEBOUNCE_MS);
  }

  private async request(editor: vscode.TextEditor): Promise<void> {
    const client = this.client();
    const doc = editor.document;
    if (!client || !this.enabled() || editor !== vscode.window.activeTextEditor) return;
    if (!SCHEMES.has(doc.uri.scheme)) return; // output panels and the like: not the server's
    const version = doc.version;
    const key = `${doc.uri.toString()}@${version}`;
    if (key === this.dismissed) return; // turned down: not again for this version
    const cancel = new vscode.CancellationTokenSource();
    this.pending = cancel;
    const position = editor.selection.active;
    const params: protocol.InlineEditParams = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri), version },
      position: { line: position.line, character: position.character },
    };
    let result: protocol.InlineEditResult | null;
    try {
      result = await client.sendRequest(protocol.inlineEdit, params, cancel.token);
    } catch (err) {
      if (!cancel.token.isCancellationRequested) this.log.debug(`next edit: ${String(err)}`);
      return;
    } finally {
      if (this.pending === cancel) this.pending = undefined;
      cancel.dispose();
    }
    const edits = (result?.edits ?? []).filter((e) => e.textDocument.version === version);
    if (cancel.token.isCancellationRequested || doc.version !== version || edits.length === 0) {
      return;
    }
    if (key === this.dismissed) return; // turned down while this answer was on its way
    if (editor !== vscode.window.activeTextEditor) return;
    const suggestion: Suggestion = {
      editor,
      version,
      edits: edits.map((e) => ({
        range: client.protocol2CodeConverter.asRange(e.range),
        text: e.text,
      })),
      command: edits.find((e) => e.command)?.command,
      target: undefined,
    };
    this.clear();
    this.shown = suggestion;
    // The context key first: once the edit is on screen, Tab and Esc must already be ours.
    await vscode.commands.executeCommand("setContext", VISIBLE, true);
    if (this.shown !== suggestion) return;
    this.render(suggestion);
    this.log.debug(
      `next edit shown: ${edits.length} edit(s) v${version}: ${suggestion.edits
        .map((e) => `${e.range.start.line + 1}:${e.range.start.character + 1} "${e.text}"`)
        .join(", ")}`,
    );
    if (suggestion.command) {
      void client.sendNotification(protocol.didShowInlineEdit, {
        item: { command: suggestion.command },
      });
    }
  }

  /** Draw the edits, and the jump hint when the nearest edit is far from the cursor. */
  private render(s: Suggestion): void {
    const { editor } = s;
    editor.setDecorations(
      this.deleted,
      s.edits.filter((e) => !e.range.isEmpty).map((e) => e.range),
    );
    editor.setDecorations(
      this.inserted,
      s.edits
        .filter((e) => e.text !== "")
        .map((e) => ({
          range: new vscode.Range(e.range.end, e.range.end),
          renderOptions: {
            after: {
              contentText: e.text.replace(/\r?\n/g, " ⏎ "),
              color: new vscode.ThemeColor("editorGhostText.foreground"),
              backgroundColor: new vscode.ThemeColor("diffEditor.insertedTextBackground"),
              fontStyle: "italic",
            },
          },
        })),
    );
    const cursor = editor.selection.active;
    const nearest = nearestEdit(s.edits, cursor);
    s.target = isFar(editor, nearest, cursor) ? nearest : undefined;
    const hints: vscode.DecorationOptions[] = [];
    if (s.target) {
      const line = s.target.range.start.line;
      const end = editor.document.lineAt(cursor.line).range.end;
      hints.push({
        range: new vscode.Range(end, end),
        renderOptions: {
          after: {
            contentText: vscode.l10n.t("⇥ Tab: jump to the next edit (line {0})", line + 1),
            color: new vscode.ThemeColor("editorCodeLens.foreground"),
            fontStyle: "italic",
            margin: "0 0 0 2em",
          },
        },
      });
    }
    editor.setDecorations(this.hint, hints);
  }

  /** Tab: jump to a far edit, else apply every edit and report the prediction taken. */
  async accept(): Promise<void> {
    const s = this.shown;
    if (!s || s.editor.document.version !== s.version) {
      // Gone since the key was pressed (the context key lags a little): Tab's usual meaning.
      this.clear();
      await vscode.commands.executeCommand("tab");
      return;
    }
    if (s.target) {
      const at = s.target.range.start;
      s.editor.selection = new vscode.Selection(at, at);
      s.editor.revealRange(s.target.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      s.target = undefined;
      this.render(s); // the cursor event re-renders too; the edit is near now
      this.log.debug(`next edit: jumped to line ${at.line + 1}`);
      return;
    }
    this.clear();
    const applied = await s.editor.edit((b) => {
      for (const e of s.edits) b.replace(e.range, e.text);
    });
    this.log.debug(`next edit ${applied ? "applied" : "could not be applied"}`);
    const client = this.client();
    if (applied && client && s.command) {
      await client.sendRequest(ExecuteCommandRequest.type, {
        command: s.command.command,
        arguments: s.command.arguments,
      });
    }
  }

  /** Esc: drop the suggestion and tell the server it was turned down. */
  dismiss(): void {
    const s = this.shown;
    if (!s) return;
    this.dismissed = `${s.editor.document.uri.toString()}@${s.version}`;
    this.clear();
    const client = this.client();
    if (client && s.command) {
      void client.sendNotification(protocol.didDismissInlineEdit, { item: { command: s.command } });
    }
    this.log.debug("next edit dismissed");
  }

  private clear(): void {
    const s = this.shown;
    if (!s) return;
    this.shown = undefined;
    for (const type of [this.deleted, this.inserted, this.hint]) s.editor.setDecorations(type, []);
    void vscode.commands.executeCommand("setContext", VISIBLE, false);
  }
}

function nearestEdit(edits: Edit[], cursor: vscode.Position): Edit {
  const distance = (e: Edit): number =>
    cursor.line < e.range.start.line
      ? e.range.start.line - cursor.line
      : Math.max(cursor.line - e.range.end.line, 0);
  return edits.reduce((best, e) => (distance(e) < distance(best) ? e : best));
}

function isFar(editor: vscode.TextEditor, edit: Edit, cursor: vscode.Position): boolean {
  const lines = Math.min(
    Math.abs(edit.range.start.line - cursor.line),
    Math.abs(edit.range.end.line - cursor.line),
  );
  const visible = editor.visibleRanges.some((r) => r.intersection(edit.range) !== undefined);
  return lines > FAR_LINES || !visible;
}
