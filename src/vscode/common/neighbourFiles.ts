/** The path functions neighbourFiles needs (node:path's; path.win32's or path.posix's in tests). */
export interface FolderPaths {
  dirname(path: string): string;
  basename(path: string): string;
  sep: string;
}

/**
 * Of the open files (absolute paths), those beside any changed file, or below a changed go.mod (it
 * decides the facts of the folders under it), each once and in the order given; the changed files
 * themselves are left out (their own save or open checks them).
 */
export function neighbourFiles(changed: readonly string[], open: readonly string[], paths: FolderPaths): string[] {
  const changedFiles = new Set(changed);
  const folders = changed.map((file) => ({
    folder: paths.dirname(file),
    below: paths.basename(file) === 'go.mod',
  }));
  const seen = new Set<string>();
  return open.filter((file) => {
    if (changedFiles.has(file) || seen.has(file)) return false;
    seen.add(file);
    const dir = paths.dirname(file);
    return folders.some(({ folder, below }) => dir === folder || (below && dir.startsWith(folder + paths.sep)));
  });
}
