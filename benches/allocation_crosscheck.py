#!/usr/bin/env python3
"""Caseload allocation: wall time, gap and objective at several sizes, each raced against an
independent solver (OR-Tools' SCIP) on the very same model with the same time.

usage: python3 benches/allocation_crosscheck.py [--hard] [BINARY] [SIZES...]
  BINARY defaults to target/release/intervention-planner; SIZES to 50 100 300.
needs: pip install ortools

For each size it generates a caseload (`generate --cases N --seed 2026`, with `--hard` its own
random catalogue and scarce places), allocates it with `allocate --export-model FILE.mps` (the
whole command, default 10 s limit), then gives SCIP the exported MPS of the joint model with the
same wall time, and again with 300 s (`SCIP_SECONDS`). Ours must be at least SCIP's best in the same time (the
exported model thins late rolling starts, as the joint model does; our plans may use any week,
so ours can be slightly above SCIP's optimum). Prints a Markdown table for BENCHMARKS.md.
"""
import json, os, subprocess, sys, tempfile, time

def scip(mb, mps, seconds):
    model = mb.ModelBuilder()
    model.import_from_mps_file(mps)
    solver = mb.ModelSolver("SCIP")
    solver.set_time_limit_in_seconds(seconds)
    started = time.perf_counter()
    status = solver.solve(model)
    return solver.objective_value, status.name, time.perf_counter() - started

def main():
    args = sys.argv[1:]
    hard = "--hard" in args
    args = [a for a in args if a != "--hard"]
    binary = args[0] if args else "target/release/intervention-planner"
    sizes = [int(s) for s in args[1:]] or [50, 100, 300]
    from ortools.linear_solver.python import model_builder as mb
    rows, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            doc = os.path.join(tmp, f"caseload-{n}.json")
            mps = os.path.join(tmp, f"model-{n}.mps")
            with open(doc, "w") as f:
                subprocess.run([binary, "generate", "--cases", str(n), "--seed", "2026"] + (["--hard"] if hard else []),
                               stdout=f, check=True)
            started = time.perf_counter()
            out = subprocess.run([binary, "allocate", "--input", doc, "--export-model", mps],
                                 capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            ours = json.loads(out.stdout)["solver"]
            same, same_status, _ = scip(mb, mps, wall)
            best, best_status, best_seconds = scip(mb, mps, float(os.environ.get("SCIP_SECONDS", "300")))
            ahead = ours["objective"] >= same - 1e-6 * max(1.0, abs(same))
            ok = ok and ahead
            gap = "unknown" if ours["mip_gap"] is None else f"{100 * ours['mip_gap']:.2f}%"
            rows.append(f"| {n} | {ours['variables']} | {wall:.2f} s | {ours['status']} | {gap} | {ours['objective']:.0f} | "
                        f"{same:.0f} ({same_status}) | {best:.0f} ({best_status}, {best_seconds:.0f} s) | "
                        f"{100 * (best - ours['objective']) / max(1.0, abs(best)):.3f}% | {'yes' if ahead else 'NO'} |")
            print(rows[-1], flush=True)
    print()
    print("| cases | variables | wall (ours) | status | gap reported | objective | SCIP, same time | SCIP, longer | ours below SCIP's best | ahead |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(r)
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
