#!/usr/bin/env python3
"""Caseload allocation: wall time, MIP gap and objective at several sizes, each cross-checked
against an independent solver (OR-Tools' SCIP) on the very same model.

usage: python3 benches/allocation_crosscheck.py [BINARY] [SIZES...]
  BINARY defaults to target/release/intervention-planner; SIZES to 50 100 200 300.
needs: pip install ortools

For each size it generates a caseload (`generate --cases N --seed 2026`), allocates it with
`allocate --export-model FILE.mps` (HiGHS, relative gap 0.5%), then solves the exported MPS with
SCIP to optimality (or its time limit) and compares the objectives: ours must be within our
reported gap (at most 0.5%) of SCIP's. Prints a Markdown table for BENCHMARKS.md; exits 1 if any
size disagrees or misses 20 s.
"""
import json, os, subprocess, sys, tempfile, time

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/intervention-planner"
    sizes = [int(s) for s in sys.argv[2:]] or [50, 100, 200, 300]
    from ortools.linear_solver.python import model_builder as mb
    rows, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            doc = os.path.join(tmp, f"caseload-{n}.json")
            mps = os.path.join(tmp, f"model-{n}.mps")
            with open(doc, "w") as f:
                subprocess.run([binary, "generate", "--cases", str(n), "--seed", "2026"], stdout=f, check=True)
            started = time.perf_counter()
            out = subprocess.run([binary, "allocate", "--input", doc, "--export-model", mps],
                                 capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            ours = json.loads(out.stdout)["solver"]
            model = mb.ModelBuilder()
            model.import_from_mps_file(mps)
            solver = mb.ModelSolver("SCIP")
            solver.set_time_limit_in_seconds(300)
            started = time.perf_counter()
            status = solver.solve(model)
            scip_seconds = time.perf_counter() - started
            theirs = solver.objective_value
            diff = abs(ours["objective"] - theirs) / max(1.0, abs(theirs))
            agree = diff <= max(ours["mip_gap"], 0.005) + 1e-9
            fast = wall <= 20.0
            ok = ok and agree and fast
            rows.append(f"| {n} | {ours['variables']} | {ours['constraints']} | {wall:.2f} | {ours['status']} | "
                        f"{100 * ours['mip_gap']:.3f}% | {ours['objective']:.0f} | {theirs:.0f} ({status.name}, {scip_seconds:.1f} s) | "
                        f"{100 * diff:.3f}% | {'yes' if agree and fast else 'NO'} |")
            print(rows[-1], flush=True)
    print()
    print("| cases | variables | rows | wall s (HiGHS) | status | MIP gap | objective | SCIP objective | difference | holds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
