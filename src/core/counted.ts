/** `1 finding`, `3 findings`; `pluralWord` for irregular plurals (`fix` → `fixes`). */
export function counted(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
