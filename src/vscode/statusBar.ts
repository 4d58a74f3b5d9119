import * as vscode from 'vscode';
import type { Mode } from '../core/findings';
import { ActiveReviews } from './common/activeReviews';
import { COMMANDS } from './common/commandIds';
import { modeName } from '../core/personas/modes';

/** Shows the mode, and progress while reviewing; clicking it switches mode. */
export class ReviewStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'backendReviewer.status',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly active = new ActiveReviews();
  private mode: Mode;
  /** The last texts shown while reviewing, newest last (the integration tests read what a user saw). */
  private readonly shown: string[] = [];

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

  /** Marks a review as running (`text` e.g. "preparing"); returns the token for `progress` and `end`. */
  begin(key: string, text: string): number {
    const token = this.active.begin(key, text);
    this.render();
    return token;
  }

  /** Updates a running review's text (e.g. "2/5 chunks"). */
  progress(token: number, text: string): void {
    this.active.update(token, text);
    this.render();
  }

  /** Removes this run only (a newer run of the same file keeps its progress). */
  end(token: number): void {
    this.active.end(token);
    this.render();
  }

  /** The last progress texts shown, oldest first. */
  recentProgress(): string[] {
    return [...this.shown];
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const name = modeName(this.mode);
    const runs = this.active.list();
    if (runs.length === 0) {
      this.item.text = `$(checklist) ${name}`;
      this.item.tooltip = `Backend Reviewer: ${name} mode. Click to switch mode.`;
      return;
    }
    const more = runs.length > 1 ? ` (+${runs.length - 1})` : '';
    if (this.shown[this.shown.length - 1] !== runs[0].text) this.shown.push(runs[0].text);
    if (this.shown.length > 100) this.shown.shift();
    this.item.text = `$(loading~spin) ${name}: ${runs[0].text}${more}`;
    this.item.tooltip = `Backend Reviewer is reviewing in ${name} mode. Click to switch mode for the next review.`;
  }
}
