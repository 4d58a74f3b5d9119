import * as vscode from 'vscode';
import type { Mode } from '../core/findings';
import { COMMANDS } from './commandIds';
import { modeName } from './publishedFindings';

/** Shows the mode, and progress while reviewing; clicking it switches mode. */
export class ReviewStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backendReviewer.status', vscode.StatusBarAlignment.Left, 50);
  private readonly active = new Map<string, string>();
  private mode: Mode;

  constructor(mode: Mode) {
    this.mode = mode;
    this.item.name = 'Backend Reviewer';
    this.item.command = COMMANDS.switchMode;
    this.render();
    this.item.show();
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.render();
  }

  /** Marks a review as running (`text` e.g. "2/5 chunks"); call `end` when it finishes. */
  progress(key: string, text: string): void {
    this.active.set(key, text);
    this.render();
  }

  end(key: string): void {
    this.active.delete(key);
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const name = modeName(this.mode);
    if (this.active.size === 0) {
      this.item.text = `$(checklist) ${name}`;
      this.item.tooltip = `Backend Reviewer: ${name} mode. Click to switch mode.`;
      return;
    }
    const [first] = this.active.values();
    const more = this.active.size > 1 ? ` (+${this.active.size - 1})` : '';
    this.item.text = `$(loading~spin) ${name}: ${first}${more}`;
    this.item.tooltip = `Backend Reviewer is reviewing in ${name} mode. Click to switch mode for the next review.`;
  }
}
