import type * as vscode from 'vscode';

// Wires features together; each feature lives in src/vscode and registers its own disposables.
export function activate(_context: vscode.ExtensionContext): void {
}

export function deactivate(): void {}
