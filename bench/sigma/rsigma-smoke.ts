// A quick side-by-side of rsigma and this engine, without the rest of bench:sigma:
//   npx tsx bench/sigma/rsigma-smoke.ts      (SMOKE_EVENTS=20000 by default)
import { rsigmaComparison } from './peers.js';

const { markdown, agree } = await rsigmaComparison(Number(process.env.SMOKE_EVENTS ?? 20_000), Number(process.env.SMOKE_MEMORY_EVENTS ?? 0));
console.log(markdown);
console.log(agree ? 'rsigma smoke: match sets agree' : 'rsigma smoke: DISAGREEMENT');
process.exit(agree ? 0 : 1);
