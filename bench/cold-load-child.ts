/**
 * One cold pack load, in the fresh process bench/suites/pack-load.ts starts:
 * the modules imported first (timed apart), then the first loadPack of the
 * process and a second, warm one. Prints one JSON line, in milliseconds of
 * wall time and of CPU time (this process's; a loaded machine moves the
 * first far more than the second).
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const mark = () => ({ wall: performance.now(), cpu: cpuMs() });
const start = mark();
const { loadPack } = await import("../engine/pack/load.js");
const imported = mark();
const pack = process.argv[2] ?? "rules/practices/harbor-ortho/pack.yaml";
const first = loadPack(pack);
const cold = mark();
loadPack(pack);
const warm = mark();
const span = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }) => ({
  wallMs: b.wall - a.wall,
  cpuMs: b.cpu - a.cpu,
});
process.stdout.write(
  `${JSON.stringify({
    ok: first.ok,
    imports: span(start, imported),
    cold: span(imported, cold),
    warm: span(cold, warm),
  })}\n`,
);
