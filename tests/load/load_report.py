"""The figures of a load run (``load_driver.py``) and the printed report."""

import os


def percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def per_op_figures(samples, elapsed):
    """{operation: count, rate and p50/p95/p99 latency in ms}."""
    return {
        op: {
            "n": len(v),
            "per_s": len(v) / elapsed,
            "p50": percentile(v, 0.5) * 1000,
            "p95": percentile(v, 0.95) * 1000,
            "p99": percentile(v, 0.99) * 1000,
        }
        for op, v in sorted(samples.items())
    }


def run_figures(run, result, before, after, dupes):
    """The figures of one run: ``run`` its mode, workers and clients,
    ``result`` the measured phase's, ``before`` and ``after`` the counters
    around it (load_server.counters), ``dupes`` the duplicated refs."""
    ops = sum(len(v) for v in result["samples"].values())
    busy0, busy1, me0, me1 = before["busy"], after["busy"], before["me"], after["me"]
    busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count()
    return {
        **run,
        "elapsed": result["elapsed"],
        "ops": ops,
        "ops_per_s": ops / result["elapsed"],
        "requests": result["requests"],
        "http_5xx": sum(n for code, n in result["status"].items() if code >= 500),
        "status": result["status"],
        "failed_ops": result["failed"],
        "duplicates": dupes,
        "errors": result["errors"],
        "server_cpu_ms_per_op": (after["cpu"] - before["cpu"]) * 1000 / max(ops, 1),
        "pg_ms_per_op": (after["pg"] - before["pg"]) / max(ops, 1),
        "client_cpu_ms_per_op": (
            me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime
        )
        * 1000
        / max(ops, 1),
        "machine_cores_busy": busy,
        "per_op": per_op_figures(result["samples"], result["elapsed"]),
    }


def print_report(runs, load_before):
    print(f"\nMachine: {os.cpu_count()} cores; load average before: {load_before}")
    print(
        "mode workers clients  ops/s  req/s  5xx failed dup  odoo-cpu-ms/op "
        "pg-ms/op client-cpu-ms/op cores-busy"
    )
    for r in runs:
        print(
            f"{r['mode']:<6}{r['workers']:>5}{r['clients']:>8}{r['ops_per_s']:>8.1f}"
            f"{r['requests'] / r['elapsed']:>7.1f}{r['http_5xx']:>5}"
            f"{sum(r['failed_ops'].values()):>7}{r['duplicates']:>4}"
            f"{r['server_cpu_ms_per_op']:>16.1f}{r['pg_ms_per_op']:>9.1f}"
            f"{r['client_cpu_ms_per_op']:>17.1f}{r['machine_cores_busy']:>11.2f}"
        )
    print("\nper operation (ops/s, p50 / p95 / p99 ms):")
    for r in runs:
        cells = "  ".join(
            f"{op} {s['per_s']:.1f}/s {s['p50']:.0f}/{s['p95']:.0f}/{s['p99']:.0f}"
            for op, s in r["per_op"].items()
        )
        print(f"  {r['mode']:<4} w{r['workers']}: {cells}")
    for r in runs:
        for err in r["errors"]:
            print(f"  error ({r['mode']} w{r['workers']}): {err}")
