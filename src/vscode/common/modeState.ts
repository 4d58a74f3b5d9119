import type { Mode } from '../../core/findings';
import type { KeyValueStore } from './state';

/** The mode in effect: the one last switched to in this workspace, else the `mode` setting. */
export class ModeState {
  private static readonly KEY = 'backendReviewer.mode';
  private readonly listeners = new Set<(mode: Mode) => void>();

  /**
   * @param settingMode the `mode` setting (its default when not set)
   * @param settingExplicit whether the user gave the `mode` setting a value
   */
  constructor(
    private readonly state: KeyValueStore,
    private readonly settingMode: () => Mode,
    private readonly settingExplicit: () => boolean = () => false,
  ) {}

  get(): Mode {
    return this.state.get<Mode>(ModeState.KEY) ?? this.settingMode();
  }

  /**
   * Whether the user chose the mode (switched it here, or set the `mode` setting). When not, a
   * persona that declares a mode brings its own (see core/review/prepare.ts).
   */
  explicit(): boolean {
    return this.state.get<Mode>(ModeState.KEY) !== undefined || this.settingExplicit();
  }

  async set(mode: Mode): Promise<void> {
    await this.state.update(ModeState.KEY, mode);
    for (const listener of this.listeners) listener(mode);
  }

  /** Forgets the switched mode, so the `mode` setting applies again (after the user changes it). */
  async resetToSetting(): Promise<void> {
    await this.state.update(ModeState.KEY, undefined);
    for (const listener of this.listeners) listener(this.get());
  }

  async toggle(): Promise<Mode> {
    const next: Mode = this.get() === 'backendpe' ? 'pragmatic' : 'backendpe';
    await this.set(next);
    return next;
  }

  /** Called again whenever the mode changes; returns the unsubscribe function. */
  onDidChange(listener: (mode: Mode) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
