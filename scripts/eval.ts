/**
 * `npm run eval`: the review pipeline over the labeled set (eval/set) against scripted model
 * behaviours (test/support/scriptedReviewer.ts) on the loopback model server; prints one table and
 * exits 1 when the default configuration misses a quality target of issue 15. `-- --json` prints the figures as JSON.
 */
import { bundledEvalSetDir, loadLabeledSet } from '../src/core/eval/labeledSet';
import { evalJson, formatEvalTable, runEval, type EvalRun } from '../src/cli/evalCommand';
import { DEFAULT_RUN, missedTargets, SCRIPTED_RUNS } from '../test/support/evalRuns';
import { startModelServer } from '../test/support/modelServer';
import { LOCAL_SCRIPTED_MODEL, OTHER_SCRIPTED_MODEL, scriptedEvalHandler } from '../test/support/scriptedReviewer';

async function main(): Promise<number> {
  const set = await loadLabeledSet(bundledEvalSetDir());
  const server = await startModelServer({ handler: scriptedEvalHandler(set) });
  try {
    const runs: EvalRun[] = SCRIPTED_RUNS;
    const results = await runEval({ set, model: 'scripted', baseUrl: server.url, env: {}, runs });
    // A second scripted model with other habits (other titles, other false alarms): the gate must
    // not only fit the first one's. Reported, not failed on.
    const other = await runEval({ set, model: OTHER_SCRIPTED_MODEL, baseUrl: server.url, env: {}, runs });
    // A third, a small local model's habits (generic advice, claims about unseen callers, style nits
    // rated high, findings quoted a few lines off), written so the gate is judged on shapes it was not made on.
    const local = await runEval({ set, model: LOCAL_SCRIPTED_MODEL, baseUrl: server.url, env: {}, runs });
    if (process.argv.includes('--json')) {
      console.log(evalJson(results, { model: 'scripted', bugs: set.bugs.length }));
      console.log(evalJson(other, { model: OTHER_SCRIPTED_MODEL, bugs: set.bugs.length }));
      console.log(evalJson(local, { model: LOCAL_SCRIPTED_MODEL, bugs: set.bugs.length }));
    } else {
      console.log(`Eval of the scripted model behaviours on ${set.bugs.length} seeded bugs (eval/set):\n`);
      console.log(formatEvalTable(results, set.bugs.length));
      console.log(`\nThe same set against a second scripted model's habits (${OTHER_SCRIPTED_MODEL}):\n`);
      console.log(formatEvalTable(other, set.bugs.length));
      console.log(
        `\nThe same set against a third scripted model, a small local model's habits (${LOCAL_SCRIPTED_MODEL}):\n`,
      );
      console.log(formatEvalTable(local, set.bugs.length));
    }
    for (const [model, rs] of [
      [OTHER_SCRIPTED_MODEL, other],
      [LOCAL_SCRIPTED_MODEL, local],
    ] as const)
      for (const r of rs)
        for (const m of missedTargets(r)) console.error(`eval: below target: ${model} ${r.run.label}: ${m}`);
    // The targets are asserted on the default configuration (Pragmatic, no verification), as the
    // test does; the other runs' misses are reported, not failed on.
    let failed = false;
    for (const r of results) {
      for (const m of missedTargets(r)) {
        const asserted = r.run.label === DEFAULT_RUN;
        failed ||= asserted;
        console.error(`eval: ${asserted ? 'target missed' : 'below target'}: ${r.run.label}: ${m}`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await server.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`eval: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
