import { nextPollDelaySeconds } from '../lambda/shared/polling';

/**
 * Figures of the poller's schedule: describe calls for restores of several lengths, and how long
 * after a restore finishes the poller notices it at worst. Run: npx ts-node --project test/tsconfig.json bench/poll-schedule.ts
 */
function looksUntil(restoreMs: number): { describes: number; noticedAfterMs: number } {
  let elapsed = 0;
  let describes = 0;
  for (;;) {
    describes++;
    if (elapsed >= restoreMs) return { describes, noticedAfterMs: elapsed - restoreMs };
    elapsed += nextPollDelaySeconds(elapsed) * 1000;
  }
}

const minute = 60_000;
console.log('restore length | describe calls | noticed after');
for (const [label, ms] of [['5 min', 5 * minute], ['30 min', 30 * minute], ['1 h', 60 * minute], ['3 h', 180 * minute], ['11 h', 660 * minute], ['12 h', 720 * minute]] as const) {
  const { describes, noticedAfterMs } = looksUntil(ms);
  console.log(`${label.padStart(14)} | ${String(describes).padStart(14)} | ${noticedAfterMs / 1000}s`);
}
let worst = 0;
for (let ms = 10 * minute; ms < 12 * 60 * minute; ms += 7_000) worst = Math.max(worst, looksUntil(ms).noticedAfterMs);
console.log(`worst delay after 10 min, before the wait condition hears the signal: ${worst / 1000}s`);
