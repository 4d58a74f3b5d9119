import { strict as assert } from 'node:assert';
import { promptCutWarning } from '../../../../src/vscode/common/reviewNotes';
import type { ReviewStats } from '../../../../src/core/findings';

const stats = (extra: Partial<ReviewStats> = {}): ReviewStats => ({
  requests: 3,
  cachedChunks: 0,
  promptTokens: 900,
  completionTokens: 60,
  durationMs: 10,
  ...extra,
});

describe('promptCutWarning', () => {
  it('names how many requests were cut, the counts, and the setting that fixes our side', () => {
    assert.equal(
      promptCutWarning(stats({ promptCut: 2, promptCutTokens: { countedTokens: 2048, sentTokens: 9000 } })),
      "The model server cut the prompt of 2 requests to fit its context window (it counted 2048 of about 9000 tokens), so those parts were reviewed without the review's instructions. Raise the server's context length (Ollama: num_ctx) or set backendReviewer.maxInputTokens to at most what it holds.",
    );
    assert.match(
      promptCutWarning(stats({ promptCut: 1, promptCutTokens: { countedTokens: 100, sentTokens: 3000 } })) ?? '',
      /prompt of 1 request to fit .*, so that part was reviewed/,
    );
  });

  it('says nothing when no prompt was cut', () => {
    assert.equal(promptCutWarning(stats()), undefined);
    assert.equal(promptCutWarning(stats({ promptCut: 0 })), undefined);
  });
});
