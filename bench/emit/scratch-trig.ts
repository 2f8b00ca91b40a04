import { hasSecretTrigger } from '../../src/emit/redact.js';
const triggers = ['-----BEGIN','eyJ','Bearer','BEARER','uthorization','UTHORIZATION','://','AKIA','ASIA','ghp_','gho_','ghu_','ghs_','ghr_','github_pat_','xox','AIza','sk_live_','rk_live_','sk_test_','rk_test_'];
// first two chars → candidate triggers
const pair = new Uint8Array(65536);
for (const t of triggers) pair[(t.charCodeAt(0) << 8 ^ t.charCodeAt(1)) & 0xffff] = 1;
function loopTrig(s: string): boolean {
  if (s.length < 6) return false;
  let prev = s.charCodeAt(0);
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (pair[((prev << 8) ^ c) & 0xffff] === 1) {
      for (const t of triggers) if (s.startsWith(t, i - 1)) return true;
    }
    prev = c;
  }
  return false;
}
const cls = /[GJBZzK:_x]/; // one char of every trigger
const full = /-----BEGIN|eyJ|Bearer|BEARER|uthorization|UTHORIZATION|:\/\/|AKIA|ASIA|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xox|AIza|sk_live_|rk_live_|sk_test_|rk_test_/;
const strs: string[][] = [];
for (let i = 0; i < 1000; i++) strs.push(['api', `u-${i % 97}`, 'user', `u${i % 97}@example.com`, '203.0.113.7', 'Mozilla/5.0', `org-${i % 13}`, `tx-${i}`]);
let sink = 0;
const impls: Record<string, (s: string) => boolean> = {
  current: hasSecretTrigger,
  loop: loopTrig,
  classThenFull: (s) => s.length >= 6 && cls.test(s) && full.test(s),
  joined: (s) => false,
};
for (let r = 0; r < 4; r++) for (const [name, f] of Object.entries(impls)) {
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < 300; c++) for (const ss of strs) {
    if (name === 'joined') { const j = ss[0] + '\n' + ss[1] + '\n' + ss[2] + '\n' + ss[3] + '\n' + ss[4] + '\n' + ss[5] + '\n' + ss[6] + '\n' + ss[7]; sink += full.test(j) ? 1 : 0; }
    else for (const s of ss) sink += f(s) ? 1 : 0;
  }
  if (r > 0) console.log(name.padEnd(14), (Number(process.hrtime.bigint() - t0) / 300000).toFixed(0), 'ns per 8 strings');
}
console.log(sink);
