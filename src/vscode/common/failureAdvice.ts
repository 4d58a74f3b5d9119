import { ProviderError } from '../../core/providers/provider';

/** The ways out an error notification offers (besides "Show Log", which every error has). */
export type FailureButton = 'Open Settings' | 'Set API Key' | 'Retry';

export interface FailureAdvice {
  /** The message in the editor's terms: settings and commands, never CLI variables or flags. */
  message: string;
  buttons: FailureButton[];
  /** What "Open Settings" searches for. */
  settingsQuery: string;
}

const BASE_URL = 'backendReviewer.openai.baseUrl';
const MODEL = 'backendReviewer.openai.model';
const SET_KEY = '"Backend Reviewer: Set API Key"';

/**
 * A model failure as the editor says it. The provider's own message is shared with the CLI (it names
 * OPENAI_BASE_URL and --base-url); here the problem it describes gets the editor's advice instead,
 * chosen by the failure's reason, with the buttons that fit: a refused key → Set API Key; a server
 * that cannot be reached → Open Settings and Retry; a failure that outlasted the retries → Retry.
 */
export function adviseFailure(error: unknown, message: string): FailureAdvice {
  const none: FailureAdvice = { message, buttons: [], settingsQuery: 'backendReviewer' };
  if (!(error instanceof ProviderError)) return none;
  const problem = error.facts.problem ?? message;
  const afterRetries = error.facts.retries ? ` (after ${error.facts.retries} retries)` : '';
  switch (error.facts.reason) {
    case 'key-refused':
      return {
        message: `${problem} Set a valid key for this endpoint with ${SET_KEY}.`,
        buttons: ['Set API Key'],
        settingsQuery: 'backendReviewer.openai',
      };
    case 'forbidden':
      return {
        message: `${problem} Check the key's permissions (${SET_KEY}) or choose another model (setting ${MODEL}).`,
        buttons: ['Set API Key', 'Open Settings'],
        settingsQuery: MODEL,
      };
    case 'model-not-found':
      return {
        message: `${problem} Check the model name (setting ${MODEL}) and that the base URL (setting ${BASE_URL}) is the API root, usually ending in /v1.`,
        buttons: ['Open Settings'],
        settingsQuery: 'backendReviewer.openai',
      };
    case 'connection-refused':
      return {
        message: `${problem} Is the server running, and is the base URL (setting ${BASE_URL}) right?`,
        buttons: ['Open Settings', 'Retry'],
        settingsQuery: BASE_URL,
      };
    case 'host-not-found':
      return {
        message: `${problem} Check the host name in the base URL (setting ${BASE_URL}) and the network.`,
        buttons: ['Open Settings', 'Retry'],
        settingsQuery: BASE_URL,
      };
    case 'tls':
      return {
        message: `${problem} (setting ${BASE_URL})`,
        buttons: ['Open Settings', 'Retry'],
        settingsQuery: BASE_URL,
      };
    case 'rate-limited':
    case 'server-error':
    case 'connection-dropped':
      return { message: `${message}${afterRetries}`, buttons: ['Retry'], settingsQuery: 'backendReviewer' };
    case undefined:
      break;
  }
  if (error.kind === 'timeout')
    return {
      message: `${message} (settings backendReviewer.requestTimeoutMs and backendReviewer.reviewDeadlineMs)`,
      buttons: ['Retry', 'Open Settings'],
      settingsQuery: 'backendReviewer.requestTimeoutMs',
    };
  if (error.kind === 'rejected') return { ...none, buttons: ['Open Settings'] };
  if (error.kind === 'failed' || error.kind === 'unreachable') return { ...none, buttons: ['Retry'] };
  return none;
}
